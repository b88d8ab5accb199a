"""POSTs to third-party services (SMS gateway, identity provider) with their auth.

``auth`` is ``hmac`` (``X-SB-Timestamp`` and ``X-SB-Signature`` = hex
HMAC-SHA256 of ``"<timestamp>." + body`` with the secret), ``bearer``
(``Authorization: Bearer <secret>``) or ``none``. Every call has a timeout and
never follows redirects.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import requests

from .errors import ConfigurationError

__all__ = ["AUTH_SCHEMES", "auth_headers", "post"]

AUTH_SCHEMES = ("hmac", "bearer", "none")


def auth_headers(
    auth: str, secret: str | None, body: bytes, now: int | None = None
) -> dict[str, str]:
    if auth not in AUTH_SCHEMES:
        raise ConfigurationError(
            f"Unknown auth scheme {auth!r}: use hmac, bearer or none."
        )
    if auth == "none":
        return {}
    if not secret:
        raise ConfigurationError(f"The {auth} auth scheme needs a secret.")
    if auth == "bearer":
        return {"Authorization": f"Bearer {secret}"}
    timestamp = str(int(time.time()) if now is None else now)
    signature = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return {"X-SB-Timestamp": timestamp, "X-SB-Signature": signature}


def post(
    url: str,
    body: bytes,
    *,
    content_type: str,
    auth: str,
    secret: str | None,
    timeout: float,
) -> requests.Response:
    """POST ``body``; raises ``requests.RequestException`` on network failure."""
    if not url:
        raise ConfigurationError("No URL is configured for this service.")
    return requests.post(
        url,
        data=body,
        headers={"Content-Type": content_type, **auth_headers(auth, secret, body)},
        timeout=timeout,
        allow_redirects=False,
    )
