"""Verifying signed requests in Flask views: ``@require_app`` and tenancy.

The checks run in a fixed order and each failure has its own code, so a
finance-system developer can tell a wrong clock from a wrong secret. The nonce
is recorded last, only for a request that is otherwise valid, and committed at
once in its own transaction: a replay is refused even if the view then fails.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import re
import threading
import time
from datetime import timedelta
from urllib.parse import quote

from flask import g, request
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import AuthenticationError, ForbiddenError
from ..extensions import db
from ..models import ApiApp, UsedNonce, utcnow
from ..services.apps import app_secret
from .signing import (
    APP_KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

__all__ = [
    "TIMESTAMP_TOLERANCE_SECONDS",
    "current_api_app",
    "require_app",
    "require_head_office",
    "tenant_filter",
]

TIMESTAMP_TOLERANCE_SECONDS = 300
# A nonce must outlive every timestamp that could still be accepted with it.
_NONCE_RETENTION = timedelta(seconds=2 * TIMESTAMP_TOLERANCE_SECONDS)
_PURGE_EVERY_SECONDS = 60.0
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEADERS = (APP_KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

# Built once: every signed request runs these two statements.
_APP_BY_KEY = select(ApiApp).where(ApiApp.app_key == bindparam("app_key"))
_INSERT_NONCE = insert(UsedNonce)

_purge_lock = threading.Lock()
_sqlite_writer = threading.Lock()
_last_purge = float("-inf")


def _fail(code: str, message: str) -> AuthenticationError:
    return AuthenticationError(message, code=code)


def _raw_path_with_query() -> str:
    """The request target as the client sent it (before any percent-decoding).

    waitress, gunicorn and Werkzeug keep it in ``REQUEST_URI`` / ``RAW_URI``;
    without either it is rebuilt by encoding the decoded path again.
    """
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is None:
        path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=")
        query = request.query_string.decode("latin-1")
        return f"{path}?{query}" if query else path
    try:  # WSGI strings carry the raw bytes as latin-1
        raw = raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a server that decoded them already
        pass
    if "://" in raw.split("?", 1)[0]:  # absolute form: keep the path onwards
        raw = "/" + raw.split("://", 1)[1].partition("/")[2]
    return raw


def _headers() -> tuple[str, str, str, str]:
    values = {name: request.headers.get(name, "").strip() for name in _HEADERS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise _fail(
            "missing_credentials",
            "Sign the request (docs/api.md); missing " + ", ".join(missing) + ".",
        )
    app_key, timestamp, nonce, signature = values.values()
    if not _TIMESTAMP.fullmatch(timestamp):
        raise _fail(
            "malformed_credentials", f"{TIMESTAMP_HEADER} must be Unix seconds."
        )
    if not _NONCE.fullmatch(nonce):
        raise _fail(
            "malformed_credentials",
            f"{NONCE_HEADER} must be 16-64 characters of A-Z a-z 0-9 _ -.",
        )
    return app_key, timestamp, nonce, signature


def _purge_old_nonces(connection) -> None:
    """Delete nonces too old to matter, at most once a minute per process."""
    global _last_purge
    with _purge_lock:
        if time.monotonic() - _last_purge < _PURGE_EVERY_SECONDS:
            return
        _last_purge = time.monotonic()
    connection.execute(
        delete(UsedNonce).where(UsedNonce.seen_at < utcnow() - _NONCE_RETENTION)
    )


def _writer_turn():
    """On SQLite, this process's nonce writers queue on a lock, one at a time.

    SQLite has a single writer; threads that find it busy sleep in its busy
    handler for growing intervals (up to 100 ms) even when the lock frees at
    once. A Python lock hands over immediately.
    """
    if db.engine.dialect.name == "sqlite":
        return _sqlite_writer
    return contextlib.nullcontext()


def _record_nonce(app: ApiApp, nonce: str) -> None:
    """Insert the nonce on a connection of its own and commit it at once.

    Outside the view's session, so the commit neither expires the objects the
    view goes on to use nor commits anything the view has not finished.
    """
    try:
        with _writer_turn(), db.engine.begin() as connection:
            _purge_old_nonces(connection)
            connection.execute(
                _INSERT_NONCE, {"app_id": app.id, "nonce": nonce, "seen_at": utcnow()}
            )
    except IntegrityError:
        raise _fail("replayed_nonce", "This nonce was used already.") from None


def _authenticate() -> ApiApp:
    """The app that signed the current request, or :class:`AuthenticationError`."""
    app_key, timestamp, nonce, signature = _headers()
    app = db.session.scalar(_APP_BY_KEY, {"app_key": app_key})
    if app is None or app.disabled_at is not None:
        raise _fail("unknown_app", f"No enabled app has the key {app_key!r}.")
    skew = int(timestamp) - time.time()
    if abs(skew) > TIMESTAMP_TOLERANCE_SECONDS:
        raise _fail(
            "stale_timestamp",
            f"{TIMESTAMP_HEADER} is {abs(skew):.0f} s off the bridge's clock "
            f"(at most {TIMESTAMP_TOLERANCE_SECONDS} s allowed).",
        )
    expected = sign(
        app_secret(app),
        request.method,
        _raw_path_with_query(),
        timestamp,
        nonce,
        request.get_data(cache=True),
    )
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise _fail("bad_signature", "The signature does not match the request.")
    _record_nonce(app, nonce)
    return app


def require_app(view):
    """Let the view run only for a validly signed request; the app is ``g.api_app``."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.api_app = _authenticate()
        return view(*args, **kwargs)

    return wrapper


def current_api_app() -> ApiApp:
    """The app that signed the current request (inside a ``@require_app`` view)."""
    app = g.get("api_app")
    if app is None:
        raise AuthenticationError("The request is not signed.")
    return app


def require_head_office() -> ApiApp:
    """The current app if it is head office's; a dealer app gets 403."""
    app = current_api_app()
    if not app.head_office:
        raise ForbiddenError(
            "Only the head-office app may do this.", code="head_office_only"
        )
    return app


def tenant_filter(app: ApiApp) -> str | None:
    """The tenant whose records ``app`` may see; ``None`` means all (head office)."""
    return None if app.head_office else app.tenant
