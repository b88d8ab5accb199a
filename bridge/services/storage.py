"""The app's document store, built once from ``STORAGE`` / ``S3`` for every service."""

from __future__ import annotations

from ..documents.storage import DocumentStorage, build_storage
from ..runtime import runtime

__all__ = ["storage"]


def storage() -> DocumentStorage:
    """The store of the current app, built on first use and kept as long as the app."""
    state = runtime()
    return state.cached("storage", lambda: build_storage(state.config))
