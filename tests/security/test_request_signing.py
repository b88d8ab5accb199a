"""Signed requests under attack, beyond tests/integration/test_auth.py.

That file covers missing and malformed headers, unknown apps, skew of ±301 s,
a nonce used twice on ``/ping`` and a changed body or path. Here: the same
attacks on a request that changes something (creating a contract), an app
impersonating another, a changed method and absurd timestamps.
"""

from __future__ import annotations

import time

import pytest

from tests.security.conftest import upload_body
from tests.signed_client import SignedClient, signed_headers

pytestmark = pytest.mark.database  # run on PostgreSQL too


def _code(response) -> str:
    return response.get_json()["code"]


def _count(api, biz_id: str) -> int:
    return api.get(f"/api/v1/contracts?bizId={biz_id}").get_json()["total"]


def test_a_replayed_creation_creates_nothing(stores):
    jn = stores["JN001"]
    request = upload_body("SEC-REPLAY-1", send=False)
    headers = signed_headers(
        jn.app_key, jn.secret, "POST", "/api/v1/contracts", request["body"]
    )
    # The attacker resends the exact bytes and headers seen on the wire.
    sent = [
        jn.client.post(
            "/api/v1/contracts",
            data=request["body"],
            content_type=request["content_type"],
            headers=headers,
        )
        for _ in range(2)
    ]
    assert sent[0].status_code == 201, sent[0].get_json()
    assert (sent[1].status_code, _code(sent[1])) == (401, "replayed_nonce")
    assert _count(jn, "SEC-REPLAY-1") == 1


def test_a_nonce_is_single_use_across_paths(stores):
    jn = stores["JN001"]
    nonce = "cross-path-nonce-0123"
    assert jn.get("/api/v1/ping", nonce=nonce).status_code == 200
    response = jn.get("/api/v1/templates", nonce=nonce)
    assert (response.status_code, _code(response)) == (401, "replayed_nonce")


def test_a_json_body_changed_after_signing(stores):
    jn = stores["JN001"]
    signed = b'{"reason": "\\u5ba2\\u6237\\u8981\\u6c42"}'
    response = jn.post(
        "/api/v1/contracts/x/recall",
        body=signed,
        content_type="application/json",
        send_body=signed.replace(b"}", b', "extra": 1}'),
    )
    assert (response.status_code, _code(response)) == (401, "bad_signature")


def test_a_contract_body_changed_after_signing_creates_nothing(stores):
    jn = stores["JN001"]
    body = b'{"bizId": "SEC-TAMPER-1", "template": "loan_contract"}'
    response = jn.post(
        "/api/v1/contracts",
        body=body,
        content_type="application/json",
        send_body=body.replace(b"TAMPER-1", b"TAMPER-2"),
    )
    assert (response.status_code, _code(response)) == (401, "bad_signature")
    assert _count(jn, "SEC-TAMPER-2") == 0


def test_the_method_is_signed(stores):
    jn = stores["JN001"]
    headers = signed_headers(jn.app_key, jn.secret, "GET", "/api/v1/contracts")
    response = jn.client.post("/api/v1/contracts", headers=headers)
    assert (response.status_code, _code(response)) == (401, "bad_signature")


@pytest.mark.parametrize(
    ("impostor", "victim"), [("QD002", "JN001"), ("*", "JN001"), ("JN001", "*")]
)
def test_one_app_cannot_sign_as_another(stores, impostor, victim):
    """An app's key with another app's secret: the key decides, the HMAC fails."""
    forged = SignedClient(
        stores[victim].client, stores[victim].app_key, stores[impostor].secret
    )
    response = forged.get("/api/v1/ping")
    assert (response.status_code, _code(response)) == (401, "bad_signature")


@pytest.mark.parametrize(
    "timestamp", [0, -1, 10**12, 2**63, 10**30, int(time.time()) - 86400]
)
def test_absurd_timestamps(stores, timestamp):
    response = stores["JN001"].get("/api/v1/ping", timestamp=timestamp)
    assert response.status_code == 401
    assert _code(response) in {"stale_timestamp", "malformed_credentials"}
