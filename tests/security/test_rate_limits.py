"""Rate limits on texting codes, checking them and logging in.

Per subject (tests/unit/test_one_time_codes.py): one code a minute, five an
hour, five wrong codes lock for 15 minutes. Per client address, across every
mobile (here): operator login codes asked for and login attempts, so one
client can neither text every operator nor try codes on every mobile; a
forged X-Forwarded-For counts only behind a configured proxy. Public
verification (API and page) has an hourly budget per address too.
"""

from __future__ import annotations

import io
import re

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import ApiApp
from bridge.services.apps import create_api_app
from tests.pdfs import chinese_pdf
from tests.signer_contracts import BORROWER, create_loan, link_path
from tests.signer_pages import verify_identity

pytestmark = pytest.mark.database  # run on PostgreSQL too


LOGINS = ("/op", "/dashboard")  # operators and dashboard users alike


def _client(home, address="203.0.113.7", login="/op", **config):
    app = create_app(
        {
            "HOME": str(home),
            "DEMO": True,
            "LOGIN_CODES_PER_IP_PER_HOUR": 3,
            "LOGIN_TRIES_PER_IP_PER_HOUR": 3,
            **config,
        }
    )
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get(f"{login}/login").get_data(as_text=True)
    client.login = login
    client.headers = {
        "X-CSRF-Token": re.search(r'data-csrf="([^"]+)"', page)[1],
        "Accept": "application/json",
    }
    return client


def _ask(client, mobile, **headers):
    return client.post(
        f"{client.login}/login/code",
        json={"mobile": mobile},
        headers=client.headers | headers,
    )


def _try(client, mobile, code="000000"):
    return client.post(
        f"{client.login}/login",
        json={"mobile": mobile, "code": code},
        headers=client.headers,
    )


@pytest.mark.parametrize("login", LOGINS)
def test_login_codes_are_limited_per_address_across_mobiles(home, login):
    client = _client(home, login=login)
    answers = [_ask(client, f"1370000000{i}").status_code for i in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = _ask(client, "13700000009")
    assert refused.get_json()["code"] == "otp_rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    other = _client(home, "198.51.100.1", login=login)
    assert _ask(other, "13700000009").status_code == 200


@pytest.mark.parametrize("login", LOGINS)
def test_login_attempts_are_limited_per_address_across_mobiles(home, login):
    client = _client(home, login=login)
    answers = [_try(client, f"1370000000{i}").status_code for i in range(4)]
    assert answers[:3] == [422, 422, 422]
    assert answers[3] == 429
    other = _client(home, "198.51.100.1", login=login)
    assert _try(other, "13700000001").status_code == 422


def _forwarded(client, mobile: str, forwarded_for: str) -> int:
    return _ask(client, mobile, **{"X-Forwarded-For": forwarded_for}).status_code


def test_a_forged_forwarded_for_does_not_reset_the_limit(home):
    client = _client(home)
    answers = [_forwarded(client, f"1370000000{i}", f"192.0.2.{i}") for i in range(4)]
    assert answers == [200, 200, 200, 429]


def test_behind_a_proxy_the_forwarded_client_counts(home):
    proxy = _client(home, "10.0.0.1", PROXY_HOPS=1)
    answers = [_forwarded(proxy, f"1370000000{i}", "192.0.2.1") for i in range(4)]
    assert answers == [200, 200, 200, 429]
    assert _forwarded(proxy, "13700000005", "192.0.2.2") == 200


@pytest.fixture
def signer(home):
    app = create_app({"HOME": str(home), "DEMO": True})
    with app.app_context():
        api_app, _ = create_api_app("经销商甲", "JN001")
        create_loan(db.session.get(ApiApp, api_app.id), "SEC-RATE-1")
        path = link_path(BORROWER["mobile"])
    client = app.test_client()
    verify_identity(client, path, BORROWER)
    page = client.get(f"{path}/sign").get_data(as_text=True)
    headers = {
        "X-CSRF-Token": re.search(r'data-csrf="([^"]+)"', page)[1],
        "Accept": "application/json",
    }
    return client, path, headers


def test_a_signer_gets_one_code_a_minute(signer):
    client, path, headers = signer
    assert client.post(f"{path}/code", headers=headers).status_code == 200
    again = client.post(f"{path}/code", headers=headers)
    assert (again.status_code, again.get_json()["code"]) == (429, "otp_rate_limited")
    assert 0 < int(again.headers["Retry-After"]) <= 60


def _verifier(home, address: str):
    app = create_app({"HOME": str(home), "VERIFICATIONS_PER_IP_PER_HOUR": 2})
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _verify_by_api(client):
    return client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(chinese_pdf(1)), "x.pdf")},
        content_type="multipart/form-data",
    )


def _verify_on_the_page(client):
    form = client.get("/verify/").get_data(as_text=True)
    return client.post(
        "/verify/",
        data={
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form)[1],
            "file": (io.BytesIO(chinese_pdf(1)), "x.pdf"),
        },
        content_type="multipart/form-data",
    )


def test_public_verification_has_an_hourly_budget_per_address(home):
    client = _verifier(home, "203.0.113.9")
    assert _verify_by_api(client).status_code == 200
    assert _verify_on_the_page(client).status_code == 200
    refused = _verify_by_api(client)
    assert (refused.status_code, refused.get_json()["code"]) == (429, "rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = _verify_on_the_page(client)
    assert page.status_code == 429
    assert "验证次数过多" in page.get_data(as_text=True)
    assert _verify_by_api(_verifier(home, "198.51.100.9")).status_code == 200
