"""Document storage: content-addressed, in a local folder or an S3 bucket.

A stored PDF is named by its SHA-256, so a revision can never be overwritten in
place, storing the same bytes twice is harmless, and every read is checked
against its name. A signed revision is the previous one plus an incremental
update, so it is stored as only the bytes it appends (an object starting with
``%SB-APPENDS <base sha256>``) and put back together on reading: a four-party
loan contract takes a quarter of the space. ``STORAGE`` picks the adapter:
``local`` (default, files under ``<home>/documents``) or ``s3``
(:mod:`.s3_storage`, settings in ``S3``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from ..errors import ConfigurationError, DocumentDamagedError, NotFoundError

__all__ = [
    "ContentStore",
    "DocumentStorage",
    "LocalStorage",
    "build_storage",
    "checked",
    "key_of",
]

HEX = frozenset("0123456789abcdef")
APPENDS = b"%SB-APPENDS "
"""How an object holding only appended bytes starts (a PDF starts ``%PDF-``)."""
MAX_CHAIN = 200


class DocumentStorage(Protocol):
    """Bytes in, SHA-256 out; thread-safe."""

    def put(self, data: bytes, *, extends: tuple[str, int] | None = None) -> str:
        """Store ``data`` (idempotent, never overwrites); return its SHA-256.

        :param extends: ``(sha256, size)`` of a stored document that ``data``
            may begin with; if it does, only the rest is stored.
        """
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


class ContentStore:
    """``put`` and ``get`` over an adapter's write-once objects (``_write``, ``_read``).

    Subclasses store and fetch objects; this puts documents together and checks them.
    """

    def _write(self, sha256: str, body: bytes, whole: bool) -> None:
        """Store ``body`` as object ``sha256`` unless it exists (never replace)."""
        raise NotImplementedError

    def _read(self, sha256: str) -> bytes:
        """Object ``sha256`` as stored; :class:`NotFoundError` if there is none."""
        raise NotImplementedError

    def put(self, data: bytes, *, extends: tuple[str, int] | None = None) -> str:
        base, size = extends or ("", 0)
        size = size if 0 < size < len(data) else 0
        running = hashlib.sha256(data[:size])  # each byte is hashed once
        appends = size > 0 and running.hexdigest() == base
        running.update(data[size:])
        digest = running.hexdigest()
        if appends:
            self._write(digest, APPENDS + base.encode() + b"\n" + data[size:], False)
        else:
            self._write(digest, data, True)
        return digest

    def get(self, sha256: str) -> bytes:
        parts, name = [], sha256
        for _ in range(MAX_CHAIN):
            try:
                body = self._read(name)
            except NotFoundError:
                if name == sha256:
                    raise
                raise DocumentDamagedError(
                    f"The stored document {sha256} is damaged: {name} is missing."
                ) from None
            if not body.startswith(APPENDS):
                parts.append(body)
                return checked(sha256, b"".join(reversed(parts)))
            start = len(APPENDS)
            name = body[start : start + 64].decode("ascii", "replace")
            parts.append(body[start + 65 :])
        raise DocumentDamagedError(f"The stored document {sha256} is damaged.")


class LocalStorage(ContentStore):
    """Files in ``<root>/<aa>/<sha256>``; writes are atomic, reads verified."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / key_of(sha256)

    def _write(self, sha256: str, body: bytes, whole: bool) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def _read(self, sha256: str) -> bytes:
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"No stored document {sha256}.") from None


def build_storage(config: dict[str, Any]) -> DocumentStorage:
    """The store ``config`` asks for (keys ``STORAGE``, ``S3`` and ``HOME``)."""
    backend = config.get("STORAGE") or "local"
    if backend == "local":
        return LocalStorage(Path(config["HOME"]) / "documents")
    if backend == "s3":
        from .s3_storage import S3Storage  # boto3 loads only when it is used

        return S3Storage.from_settings(config.get("S3") or {})
    raise ConfigurationError(f"Unknown STORAGE {backend!r}; use local or s3.")
