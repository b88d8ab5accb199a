"""Citizens' ID numbers at rest: encrypted, and findable only by a keyed hash.

The index key is derived from the deployment's master key (HKDF) and the
number itself is sealed by the runtime's secret box, so a copy of the database
alone reveals no ID number and cannot be searched by one.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..pki.keystore import load_or_create_master_key
from ..runtime import runtime

__all__ = ["derived_key", "id_number_digest", "open_id_number", "seal_id_number"]

_CONTEXT = "id-number"


def derived_key(label: str) -> bytes:
    """A 32-byte key for one purpose, derived from the master key (HKDF), cached."""

    def derive() -> bytes:
        master = load_or_create_master_key(
            runtime().config["MASTER_KEY"], runtime().home
        )
        return HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=f"sealbridge/{label}".encode(),
        ).derive(master)

    return runtime().cached(("derived-key", label), derive)


def _index_key() -> bytes:
    return derived_key("id-number/index")


def id_number_digest(id_number: str) -> str:
    """HMAC-SHA256 of the normalised number: equal numbers, equal digests."""
    return hmac.new(
        _index_key(), id_number.upper().encode(), hashlib.sha256
    ).hexdigest()


def seal_id_number(id_number: str) -> bytes:
    return runtime().secrets.seal(id_number.upper(), _CONTEXT)


def open_id_number(blob: bytes) -> str:
    return runtime().secrets.open(blob, _CONTEXT)
