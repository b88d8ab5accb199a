"""A finance-system client of Sealbridge: signed requests and webhook checks.

Self-contained on purpose (only ``requests`` beyond the standard library), so
a finance-system team can copy it, or read it beside docs/api.md when writing
their own client in another language::

    python examples/finance_client.py --base-url http://127.0.0.1:5000 \\
        --app-key KEY --app-secret SECRET
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from secrets import token_urlsafe
from urllib.parse import quote, unquote_to_bytes

import requests

__all__ = ["ApiError", "FinanceClient", "sign_request", "verify_webhook"]


class ApiError(Exception):
    """A 4xx/5xx answer: the bridge's ``code``, ``message`` and field messages."""

    def __init__(self, status: int, body: dict) -> None:
        self.status = status
        self.code = body.get("code", "http_error")
        self.message = body.get("message", "")
        self.fields = body.get("fields", {})
        super().__init__(f"{status} {self.code}: {self.message}")


def _encode(raw: str) -> str:
    return quote(unquote_to_bytes(raw.replace("+", " ")), safe="-._~")


def _canonical_query(query: str) -> str:
    pairs = sorted(
        (_encode(key), _encode(value))
        for key, _, value in (
            piece.partition("=") for piece in query.split("&") if piece
        )
    )
    return "&".join(f"{key}={value}" for key, value in pairs)


def sign_request(
    secret: str, method: str, path_with_query: str, timestamp: int, nonce: str, body
) -> str:
    """The ``X-SB-Signature`` of a request (docs/api.md, "Signing a request")."""
    path, _, query = path_with_query.partition("?")
    string_to_sign = "\n".join(
        (
            method.upper(),
            path,
            _canonical_query(query),
            str(timestamp),
            nonce,
            hashlib.sha256(body).hexdigest(),
        )
    )
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str],
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """Whether a webhook is authentic and fresh (docs/api.md, "Webhooks").

    ``body`` is the raw request body; ``secrets`` the app's webhook secrets
    (the new and the old one while rotating). Deduplicate on X-SB-Event-Id.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get("x-sb-timestamp", "").strip()
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    offered = [
        part.strip()[3:]
        for part in lowered.get("x-sb-signature", "").split(",")
        if part.strip().startswith("v1=")
    ]
    for secret in secrets:
        expected = hmac.new(
            secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
        ).hexdigest()
        if any(hmac.compare_digest(expected, theirs) for theirs in offered):
            return True
    return False


class FinanceClient:
    """Signed calls to one bridge as one app; ``with`` closes its connections."""

    def __init__(
        self, base_url: str, app_key: str, app_secret: str, timeout: float = 60
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_secret = app_secret
        self.timeout = timeout
        self.http = requests.Session()

    def __enter__(self) -> FinanceClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _send(self, method, path, json=None, params=None, files=None, stream=False):
        prepared = self.http.prepare_request(
            requests.Request(
                method.upper(),
                self.base_url + path,
                json=json,
                params=params,
                files=files,
            )
        )
        # Sign exactly what goes on the wire: the encoded path and query, the body.
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        timestamp, nonce = int(time.time()), token_urlsafe(18)
        prepared.headers.update(
            {
                "X-SB-App-Key": self.app_key,
                "X-SB-Timestamp": str(timestamp),
                "X-SB-Nonce": nonce,
                "X-SB-Signature": sign_request(
                    self.app_secret,
                    prepared.method,
                    prepared.path_url,
                    timestamp,
                    nonce,
                    body,
                ),
            }
        )
        response = self.http.send(
            prepared, timeout=self.timeout, allow_redirects=False, stream=stream
        )
        if response.status_code >= 400:
            try:
                error = response.json()
            except ValueError:
                error = {"message": response.text[:200]}
            raise ApiError(response.status_code, error)
        return response

    def request(self, method, path, json=None, params=None, files=None):
        """Call the API; the JSON answer (or the raw bytes), else :class:`ApiError`."""
        response = self._send(method, path, json=json, params=params, files=files)
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return response.content

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    def post(self, path, json=None, files=None):
        return self.request("POST", path, json=json, files=files)

    def put(self, path, json=None):
        return self.request("PUT", path, json=json)

    def delete(self, path):
        return self.request("DELETE", path)

    def download(self, path, target) -> Path:
        """Save a file answer (e.g. a signed PDF) to ``target``."""
        target = Path(target)
        with self._send("GET", path, stream=True) as response, target.open("wb") as f:
            for chunk in response.iter_content(64 * 1024):
                f.write(chunk)
        return target


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--app-key", required=True)
    parser.add_argument("--app-secret", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _arguments().parse_args(argv)
    with FinanceClient(args.base_url, args.app_key, args.app_secret) as client:
        try:
            print(json.dumps(client.get("/api/v1/ping"), ensure_ascii=False))
        except (ApiError, requests.RequestException) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
