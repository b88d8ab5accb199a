"""Every log record of the test session, kept in a file to search for secrets.

``install()`` puts one handler on the root logger (and lowers the root level to
INFO, what a deployment logs) before the first test runs; ``remember()`` names
secrets the tests create; ``leaks()`` searches everything logged since for
them, for PEM private keys, SMS code texts and unmasked ID numbers.
"""

from __future__ import annotations

import atexit
import logging
import re
import shutil
import tempfile
from pathlib import Path

from bridge.domain.validators import check_id_number

__all__ = ["install", "leaks", "remember"]

_PATTERNS = {
    "a private key": re.compile(r"PRIVATE KEY-----"),
    "an SMS code": re.compile(r"验证码\s*\d{6}"),
}
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z*])\d{17}[\dXx](?![0-9A-Za-z*])")
"""18 characters standing alone: not a run inside a hex digest or a longer number."""


class _FileHandler(logging.FileHandler):
    """Records with their arguments applied and any traceback, one per line."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=False)
        self.setLevel(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))


_secrets: set[str] = set()
_handler: _FileHandler | None = None


def install() -> Path:
    """Start recording (idempotent); the file the records go to."""
    global _handler
    if _handler is None:
        folder = Path(tempfile.mkdtemp(prefix="sealbridge-logs-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _handler = _FileHandler(folder / "session.log")
        root = logging.getLogger()
        root.addHandler(_handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    return Path(_handler.baseFilename)


def remember(*values: str) -> None:
    """Secrets that must never be logged (app and webhook secrets, keys)."""
    _secrets.update(v for v in values if v and len(v) >= 8)


def leaks(extra_secrets: set[str] = frozenset()) -> list[str]:
    """What the session's log gave away, one line per finding."""
    if _handler is None:
        return []
    _handler.flush()
    text = Path(_handler.baseFilename).read_text(encoding="utf-8", errors="replace")
    found = [
        f"{what}: {m.group(0)!r}"
        for what, p in _PATTERNS.items()
        for m in p.finditer(text)
    ]
    found += [
        f"an unmasked ID number: {m.group(0)[:6]}…"
        for m in _ID_CANDIDATE.finditer(text)
        if check_id_number(m.group(0)) is None
    ]
    found += [
        f"a secret: {secret[:4]}…"
        for secret in _secrets | set(extra_secrets)
        if secret in text
    ]
    return found
