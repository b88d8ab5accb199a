"""A finance-system client of Sealbridge: signed requests and webhook checks.

Self-contained on purpose (only ``requests`` beyond the standard library), so
a finance-system team can copy it, or read it beside docs/api.md when writing
their own client in another language::

    SEALBRIDGE_APP_SECRET=SECRET python examples/finance_client.py \\
        --base-url http://127.0.0.1:5000 --app-key KEY

runs scenario 2 (a four-party loan contract) to completion and prints the
contract id and the path of the final PDF as its last line.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import os
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from secrets import token_urlsafe
from urllib.parse import quote, unquote_to_bytes

import requests

__all__ = [
    "ApiError",
    "FinanceClient",
    "run_scenario",
    "sign_request",
    "verify_webhook",
]


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


def run_scenario(
    client: FinanceClient, output_dir: Path, timeout: float = 300
) -> tuple:
    """Scenario 2: a four-party loan contract from its template, signed in order.

    Borrower, guarantor and dealer store sign through the bridge's internal
    signing endpoint (the signer pages replace it for real people); the finance
    company seals automatically. Returns the contract id and the final PDF.
    """
    templates = client.get("/api/v1/templates")["templates"]
    loan = next(t for t in templates if t["name"] == "loan_contract")
    biz_id = f"DEMO-LOAN-{time.strftime('%Y%m%d%H%M%S')}"
    contract = client.post(
        "/api/v1/contracts",
        json={
            "bizId": biz_id,
            "template": "loan_contract",
            "parameters": loan["parameters"]["examples"][0],
            "businessData": {"loanNo": biz_id},
            "send": True,
        },
    )
    print(f"created {contract['id']} ({contract['subject']}): {contract['status']}")
    deadline = time.monotonic() + timeout
    while contract["status"] == "SIGNING" and time.monotonic() < deadline:
        for signatory_id in contract["next"]:
            signatory = next(
                s for s in contract["signatories"] if s["id"] == signatory_id
            )
            contract = client.post(
                f"/api/v1/contracts/{contract['id']}/signatories/{signatory_id}/sign"
            )
            print(f"  {signatory['role']} {signatory['name']} signed")
        contract = client.get(f"/api/v1/contracts/{contract['id']}")
    if contract["status"] != "COMPLETE":
        raise RuntimeError(f"the contract ended {contract['status']}")
    target = client.download(
        f"/api/v1/contracts/{contract['id']}/document?version=final",
        output_dir / f"{biz_id}.pdf",
    )
    return contract["id"], target


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--app-key", required=True)
    parser.add_argument(
        "--app-secret",
        default=os.environ.get("SEALBRIDGE_APP_SECRET"),
        help="defaults to $SEALBRIDGE_APP_SECRET, which keeps it out of `ps`",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=Path("."), help="where the final PDF goes"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run scenario 2; the last line is ``<contract id> <final PDF path>``."""
    parser = _arguments()
    args = parser.parse_args(argv)
    if not args.app_secret:
        parser.error("give --app-secret or set SEALBRIDGE_APP_SECRET")
    with FinanceClient(args.base_url, args.app_key, args.app_secret) as client:
        try:
            contract_id, path = run_scenario(client, args.output_dir)
        except (ApiError, requests.RequestException, RuntimeError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"{contract_id} {path.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
