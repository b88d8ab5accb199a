"""Document storage: content-addressed files under the instance folder.

A stored PDF is named by its SHA-256, so a revision can never be overwritten in
place and every read is checked against its name.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..errors import ConfigurationError, NotFoundError

__all__ = ["LocalStorage"]


class LocalStorage:
    """Files in ``<root>/<aa>/<sha256>``; writes are atomic, reads verified."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise NotFoundError(f"No stored document {sha256!r}.")
        return self._root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256 (the key)."""
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
        """The stored bytes, refused if they no longer match their hash."""
        try:
            data = self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"No stored document {sha256}.") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ConfigurationError(f"The stored document {sha256} is damaged.")
        return data
