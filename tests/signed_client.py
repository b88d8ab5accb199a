"""Signed requests for tests: Flask's test client with the X-SB-* headers.

The signature comes from ``bridge.auth.signing``; ``tamper`` hooks let a test
send something other than what was signed.
"""

from __future__ import annotations

import json as jsonlib
import secrets
import time

from werkzeug.test import EnvironBuilder

from bridge.auth.signing import sign
from tests import log_watch

__all__ = ["SignedClient", "new_api_app", "signed_headers"]


def new_api_app(
    flask_app, name="济南重汽商用车销售服务有限公司", tenant="JN001", **options
):
    """Create an app; return ``(app_key, app_secret, webhook_secret)``."""
    from bridge.services.apps import create_api_app, webhook_secrets

    with flask_app.app_context():
        app, secret = create_api_app(name, tenant, **options)
        webhook_secret = webhook_secrets(app)[0]
        log_watch.remember(secret, webhook_secret)
        return app.app_key, secret, webhook_secret


def signed_headers(
    app_key: str,
    secret: str,
    method: str,
    path_with_query: str,
    body: bytes = b"",
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or secrets.token_urlsafe(18)
    return {
        "X-SB-App-Key": app_key,
        "X-SB-Timestamp": str(timestamp),
        "X-SB-Nonce": nonce,
        "X-SB-Signature": sign(secret, method, path_with_query, timestamp, nonce, body),
    }


class SignedClient:
    """Sends signed requests through a Flask test client."""

    def __init__(self, client, app_key: str, secret: str) -> None:
        self.client = client
        self.app_key = app_key
        self.secret = secret

    def open(
        self,
        method: str,
        path: str,
        *,
        json=None,
        body: bytes | None = None,
        content_type: str | None = None,
        send_path: str | None = None,
        send_body: bytes | None = None,
        headers: dict[str, str] | None = None,
        **sign_options,
    ):
        """Sign ``method path body``; send ``send_path``/``send_body`` if given."""
        if json is not None:
            body = jsonlib.dumps(json, ensure_ascii=False).encode()
            content_type = "application/json"
        body = body or b""
        headers = {
            **(headers or {}),
            **signed_headers(
                self.app_key, self.secret, method, path, body, **sign_options
            ),
        }
        return self.client.open(
            send_path or path,
            method=method,
            data=body if send_body is None else send_body,
            content_type=content_type,
            headers=headers,
        )

    def get(self, path: str, **options):
        return self.open("GET", path, **options)

    def post(self, path: str, **options):
        return self.open("POST", path, **options)


def multipart_body(fields: dict) -> dict:
    """A multipart body encoded once, so the signature covers the bytes sent."""
    environ = EnvironBuilder(method="POST", data=fields).get_environ()
    return {
        "body": environ["wsgi.input"].read(),
        "content_type": environ["CONTENT_TYPE"],
    }
