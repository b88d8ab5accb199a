"""Long-lived objects of one app: the key store and the prepared sealers.

Built on first use inside an app context, never at import time, and kept for
the life of the process so keys are decrypted and seals prepared only once.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import current_app

from .pki.keystore import FileKeyStore, load_or_create_master_key
from .pki.secretbox import SecretBox

__all__ = ["Runtime", "runtime"]


class Runtime:
    """Per-app state that is expensive to build: keys, sealers, the TSA."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.home = Path(config["HOME"])
        self._lock = threading.Lock()
        self._keystore: FileKeyStore | None = None
        self._secrets: SecretBox | None = None
        self.cache: dict[Any, Any] = {}
        """Prepared objects (sealers, the TSA) keyed by what they were built from."""

    @property
    def keystore(self) -> FileKeyStore:
        with self._lock:
            if self._keystore is None:
                master = load_or_create_master_key(self.config["MASTER_KEY"], self.home)
                self._keystore = FileKeyStore(self.home / "keys", master)
            return self._keystore

    @property
    def secrets(self) -> SecretBox:
        """Encrypts the app and webhook secrets kept in the database."""
        with self._lock:
            if self._secrets is None:
                master = load_or_create_master_key(self.config["MASTER_KEY"], self.home)
                self._secrets = SecretBox(master)
            return self._secrets

    def cached(self, key: Any, build):
        """``build()`` once per ``key`` for the life of the process."""
        with self._lock:
            if key in self.cache:
                return self.cache[key]
        value = build()
        with self._lock:
            return self.cache.setdefault(key, value)

    def close(self) -> None:
        """Stop what runs beside the app: the LibreOffice workers, if started."""
        converter = self.cache.get("converter")
        if converter is not None:
            converter.close()


def runtime() -> Runtime:
    """The runtime of the current app."""
    return current_app.extensions["sealbridge"]
