"""Small secrets kept in the database (app secrets, webhook secrets), encrypted.

The bridge must show these secrets to itself (to recompute HMACs), so they
cannot be hashed like passwords. Each is stored as ``SBS1 || nonce ||
AES-256-GCM(secret)`` under a key derived from the deployment's master key,
with associated data naming what the secret belongs to (e.g. ``api_app:<key>``),
so a database row copied onto another app's row fails to decrypt instead of
silently authenticating as that app. A database dump alone reveals nothing.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import ConfigurationError

__all__ = ["SecretBox"]

_MAGIC = b"SBS1"
_NONCE_BYTES = 12
# The master key also encrypts the key files: derive a separate key for this use.
_KDF_INFO = b"sealbridge secretbox v1"


class SecretBox:
    """AES-256-GCM encryption of short secrets bound to their owner."""

    def __init__(self, master_key: bytes) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO
        ).derive(master_key)
        self._aead = AESGCM(derived)

    def seal(self, secret: str, context: str) -> bytes:
        """Encrypt ``secret``; ``context`` must be given again to open it."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        return (
            _MAGIC
            + nonce
            + self._aead.encrypt(nonce, secret.encode(), context.encode())
        )

    def open(self, blob: bytes, context: str) -> str:
        """Decrypt a sealed secret; a wrong key, context or damaged blob is an error."""
        if not blob.startswith(_MAGIC):
            raise ConfigurationError(f"The stored secret of {context} is not sealed.")
        nonce = blob[len(_MAGIC) : len(_MAGIC) + _NONCE_BYTES]
        try:
            plain = self._aead.decrypt(
                nonce, blob[len(_MAGIC) + _NONCE_BYTES :], context.encode()
            )
        except InvalidTag as exc:
            raise ConfigurationError(
                f"The stored secret of {context} cannot be decrypted: wrong master "
                "key or damaged row."
            ) from exc
        return plain.decode()
