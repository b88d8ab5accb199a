"""Key custody: private keys encrypted at rest with the deployment's master key.

Each key is a file ``<home>/keys/<id>.key`` holding ``SBK1 || nonce || AES-256-GCM(
PKCS#8 DER)`` with the key reference as associated data, so a file cannot be
swapped for another key's file unnoticed. Loaded keys stay in memory: loading
and checking an RSA key costs tens of milliseconds, signing with it well under one.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..errors import ConfigurationError

__all__ = ["PrivateKey", "FileKeyStore", "generate_key", "load_or_create_master_key"]

logger = logging.getLogger(__name__)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_MAGIC = b"SBK1"
_NONCE_BYTES = 12
MASTER_KEY_FILE = "master.key"


def generate_key(algorithm: str) -> PrivateKey:
    """A new private key: ``rsa2048``, ``rsa3072``, ``rsa4096`` or ``ecdsa-p256``."""
    if algorithm.startswith("rsa") and algorithm[3:] in {"2048", "3072", "4096"}:
        return rsa.generate_private_key(
            public_exponent=65537, key_size=int(algorithm[3:])
        )
    if algorithm == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    raise ConfigurationError(
        f"Unknown key algorithm {algorithm!r}: use rsa2048, rsa3072, rsa4096 "
        "or ecdsa-p256."
    )


def _decode_master_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise ConfigurationError(
            "SEALBRIDGE_MASTER_KEY must be 32 random bytes in base64 "
            '(python -c "import secrets,base64;'
            'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())").'
        )
    return key


def load_or_create_master_key(configured: str | None, home: Path) -> bytes:
    """The master key from configuration, else the instance folder's (created once)."""
    if configured:
        return _decode_master_key(configured)
    path = home / MASTER_KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        logger.warning(
            "No SEALBRIDGE_MASTER_KEY set: generated %s. Fine for a trial; in "
            "production keep the master key outside the instance folder.",
            path,
        )
    return _decode_master_key(path.read_text())


class FileKeyStore:
    """Encrypted key files in one folder, with an in-memory cache of loaded keys."""

    def __init__(self, folder: Path, master_key: bytes) -> None:
        self._folder = folder
        self._aead = AESGCM(master_key)
        self._cache: dict[str, PrivateKey] = {}
        self._lock = threading.Lock()

    def store(self, key: PrivateKey) -> str:
        """Encrypt and write ``key``; return its reference ``file:<id>``."""
        key_ref = f"file:{secrets.token_hex(16)}"
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        nonce = secrets.token_bytes(_NONCE_BYTES)
        blob = _MAGIC + nonce + self._aead.encrypt(nonce, der, key_ref.encode())
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._path(key_ref)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        with self._lock:
            self._cache[key_ref] = key
        return key_ref

    def load(self, key_ref: str) -> PrivateKey:
        """The private key behind ``key_ref`` (decrypted once, then cached)."""
        with self._lock:
            cached = self._cache.get(key_ref)
        if cached is not None:
            return cached
        try:
            blob = self._path(key_ref).read_bytes()
        except OSError as exc:
            raise ConfigurationError(
                f"Key {key_ref} is missing from the key store."
            ) from exc
        if not blob.startswith(_MAGIC):
            raise ConfigurationError(f"Key file of {key_ref} is not a Sealbridge key.")
        nonce = blob[len(_MAGIC) : len(_MAGIC) + _NONCE_BYTES]
        try:
            der = self._aead.decrypt(
                nonce, blob[len(_MAGIC) + _NONCE_BYTES :], key_ref.encode()
            )
        except InvalidTag as exc:
            raise ConfigurationError(
                f"Key {key_ref} cannot be decrypted: wrong master key or damaged file."
            ) from exc
        key = serialization.load_der_private_key(der, password=None)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ConfigurationError(f"Key {key_ref} has an unsupported algorithm.")
        with self._lock:
            self._cache[key_ref] = key
        return key

    def _path(self, key_ref: str) -> Path:
        scheme, _, name = key_ref.partition(":")
        if scheme != "file" or not name.isalnum():
            raise ConfigurationError(f"Unsupported key reference {key_ref!r}.")
        return self._folder / f"{name}.key"
