"""Signed requests: every way a request can fail authentication, and tenancy."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bridge.auth import requests as auth_requests
from bridge.extensions import db
from bridge.models import UsedNonce, utcnow
from bridge.services.apps import disable_api_app
from tests.signed_client import SignedClient, new_api_app, signed_headers

pytestmark = pytest.mark.database


@pytest.fixture
def dealer(app):
    return new_api_app(app)


@pytest.fixture
def signed(client, dealer):
    app_key, secret, _ = dealer
    return SignedClient(client, app_key, secret)


def _code(response) -> str:
    return response.get_json()["code"]


def test_valid_request(signed):
    response = signed.get("/api/v1/ping")
    assert response.status_code == 200
    assert response.get_json() == {
        "app": "济南重汽商用车销售服务有限公司",
        "tenant": "JN001",
        "head_office": False,
    }


def test_query_in_any_order_and_encoding(signed):
    signed_path = "/api/v1/ping?b=%e7%8e%8b&a=x+y&a=1"
    sent_path = "/api/v1/ping?a=1&a=x%20y&b=%E7%8E%8B"
    response = signed.get(signed_path, send_path=sent_path)
    assert response.status_code == 200, response.get_json()


def test_body_is_signed(signed):
    assert signed.get("/api/v1/ping", body=b'{"a": 1}').status_code == 200
    response = signed.get("/api/v1/ping", body=b'{"a": 1}', send_body=b'{"a": 2}')
    assert (response.status_code, _code(response)) == (401, "bad_signature")


@pytest.mark.parametrize(
    "header", ["X-SB-App-Key", "X-SB-Timestamp", "X-SB-Nonce", "X-SB-Signature"]
)
def test_missing_header(client, dealer, header):
    app_key, secret, _ = dealer
    headers = signed_headers(app_key, secret, "GET", "/api/v1/ping")
    del headers[header]
    response = client.get("/api/v1/ping", headers=headers)
    assert (response.status_code, _code(response)) == (401, "missing_credentials")
    assert header in response.get_json()["message"]


def test_unsigned_request(client):
    response = client.get("/api/v1/ping")
    assert (response.status_code, _code(response)) == (401, "missing_credentials")


@pytest.mark.parametrize(
    "options", [{"nonce": "short"}, {"nonce": "x" * 15 + "!"}, {"nonce": "n" * 65}]
)
def test_malformed_nonce(signed, options):
    response = signed.get("/api/v1/ping", **options)
    assert (response.status_code, _code(response)) == (401, "malformed_credentials")


def test_malformed_timestamp(client, dealer):
    app_key, secret, _ = dealer
    headers = signed_headers(app_key, secret, "GET", "/api/v1/ping")
    headers["X-SB-Timestamp"] = "1.7e9"
    response = client.get("/api/v1/ping", headers=headers)
    assert (response.status_code, _code(response)) == (401, "malformed_credentials")


def test_unknown_app(client, dealer):
    _, secret, _ = dealer
    response = SignedClient(client, "AAAAAAAAAAAAAAAAAAAA", secret).get("/api/v1/ping")
    assert (response.status_code, _code(response)) == (401, "unknown_app")


def test_wrong_secret(client, dealer):
    app_key, _, webhook_secret = dealer
    response = SignedClient(client, app_key, webhook_secret).get("/api/v1/ping")
    assert (response.status_code, _code(response)) == (401, "bad_signature")


@pytest.mark.parametrize(
    ("signed_path", "sent_path"),
    [
        ("/api/v1/outbox", "/api/v1/ping"),
        ("/api/v1/ping?page=1", "/api/v1/ping?page=2"),
        ("/api/v1/ping", "/api/v1/ping?page=1"),
        ("/api/v1/%70ing", "/api/v1/ping"),  # the path as sent, not as decoded
    ],
)
def test_path_or_query_changed(signed, signed_path, sent_path):
    response = signed.get(signed_path, send_path=sent_path)
    assert (response.status_code, _code(response)) == (401, "bad_signature")


@pytest.mark.parametrize("skew", [-301, 301])
def test_stale_timestamp(signed, skew):
    response = signed.get("/api/v1/ping", timestamp=int(time.time()) + skew)
    assert (response.status_code, _code(response)) == (401, "stale_timestamp")


@pytest.mark.parametrize("skew", [-290, 290])
def test_timestamp_within_tolerance(signed, skew):
    response = signed.get("/api/v1/ping", timestamp=int(time.time()) + skew)
    assert response.status_code == 200


def test_replayed_nonce(signed, app, client):
    nonce = "replay-me-0123456789"
    assert signed.get("/api/v1/ping", nonce=nonce).status_code == 200
    response = signed.get("/api/v1/ping", nonce=nonce)
    assert (response.status_code, _code(response)) == (401, "replayed_nonce")
    # Nonces are per app: another app may use the same one.
    other_key, other_secret, _ = new_api_app(app, name="其他门店", tenant="QD002")
    other = SignedClient(client, other_key, other_secret)
    assert other.get("/api/v1/ping", nonce=nonce).status_code == 200


def test_rejected_request_does_not_burn_its_nonce(signed):
    nonce = "kept-nonce-0123456789"
    bad = signed.get("/api/v1/ping", nonce=nonce, body=b"a", send_body=b"b")
    assert _code(bad) == "bad_signature"
    assert signed.get("/api/v1/ping", nonce=nonce).status_code == 200


def test_old_nonces_are_purged(signed, app, monkeypatch):
    for minutes in (11, 9):
        nonce = f"aged-{minutes}-minutes-ago"
        assert signed.get("/api/v1/ping", nonce=nonce).status_code == 200
        with app.app_context():
            row = db.session.scalars(
                db.select(UsedNonce).where(UsedNonce.nonce == nonce)
            ).one()
            row.seen_at = utcnow() - timedelta(minutes=minutes)
            db.session.commit()
    monkeypatch.setattr(auth_requests, "_last_purge", float("-inf"))
    assert signed.get("/api/v1/ping", nonce="fresh-nonce-0123456").status_code == 200
    with app.app_context():
        kept = set(db.session.scalars(db.select(UsedNonce.nonce)))
    assert kept == {"aged-9-minutes-ago", "fresh-nonce-0123456"}


def test_disabled_app(signed, app, dealer):
    with app.app_context():
        disable_api_app(dealer[0])
    response = signed.get("/api/v1/ping")
    assert (response.status_code, _code(response)) == (401, "unknown_app")


def test_outbox_is_for_head_office_only(signed, app, client):
    response = signed.get("/api/v1/outbox")
    assert (response.status_code, _code(response)) == (403, "head_office_only")
    response = signed.post("/api/v1/outbox/1/retry")
    assert response.status_code == 403
    key, secret, _ = new_api_app(app, name="总部", tenant="*", head_office=True)
    head_office = SignedClient(client, key, secret)
    assert head_office.get("/api/v1/ping").get_json()["head_office"] is True
    listing = head_office.get("/api/v1/outbox?status=dead&page=1")
    assert listing.status_code == 200
    assert listing.get_json() == {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert _code(head_office.get("/api/v1/outbox?status=lost")) == "invalid_status"
    assert _code(head_office.get("/api/v1/outbox?page=x")) == "invalid_page"
    missing = head_office.post("/api/v1/outbox/999/retry", json={})
    assert (missing.status_code, _code(missing)) == (404, "not_found")
