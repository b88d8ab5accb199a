"""Document storage: content-addressed, in a local folder or an S3 bucket.

A stored PDF is named by its SHA-256, so a revision can never be overwritten in
place, storing the same bytes twice is harmless, and every read is checked
against its name. ``STORAGE`` picks the adapter: ``local`` (default, files under
``<home>/documents``) or ``s3`` (:mod:`.s3_storage`, settings in ``S3``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from ..errors import ConfigurationError, DocumentDamagedError, NotFoundError

__all__ = ["DocumentStorage", "LocalStorage", "build_storage", "checked", "key_of"]

HEX = frozenset("0123456789abcdef")


class DocumentStorage(Protocol):
    """Bytes in, SHA-256 out; thread-safe."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent, never overwrites); return its SHA-256."""
        ...

    def get(self, sha256: str) -> bytes:
        """The stored bytes, refused if they no longer match their hash."""
        ...


def key_of(sha256: str) -> str:
    """``<aa>/<sha256>`` for a well-formed digest; anything else is not stored."""
    if len(sha256) != 64 or not HEX.issuperset(sha256):
        raise NotFoundError(f"No stored document {sha256!r}.")
    return f"{sha256[:2]}/{sha256}"


def checked(sha256: str, data: bytes) -> bytes:
    """``data`` if it still hashes to ``sha256``."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DocumentDamagedError(f"The stored document {sha256} is damaged.")
    return data


class LocalStorage:
    """Files in ``<root>/<aa>/<sha256>``; writes are atomic, reads verified."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / key_of(sha256)

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"No stored document {sha256}.") from None
        return checked(sha256, data)


def build_storage(config: dict[str, Any]) -> DocumentStorage:
    """The store ``config`` asks for (keys ``STORAGE``, ``S3`` and ``HOME``)."""
    backend = config.get("STORAGE") or "local"
    if backend == "local":
        return LocalStorage(Path(config["HOME"]) / "documents")
    if backend == "s3":
        from .s3_storage import S3Storage  # boto3 loads only when it is used

        return S3Storage.from_settings(config.get("S3") or {})
    raise ConfigurationError(f"Unknown STORAGE {backend!r}; use local or s3.")
