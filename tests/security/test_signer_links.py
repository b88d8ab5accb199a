"""Signing links, codes and CSRF under attack, beyond test_signer_pages.py.

That file covers a link opened before its turn, the wrong person on a link,
five wrong codes locking a signatory and CSRF on the identity form. Here:
guessing tokens (every miss looks the same), a code used on another
signatory's link, a lock that survives a new browser, and CSRF on every POST
of the signer and operator pages.
"""

from __future__ import annotations

import re
import secrets

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import ApiApp, Contract
from bridge.services.apps import create_api_app
from bridge.services.signing_links import issue_link
from tests.signer_contracts import (
    BORROWER,
    GUARANTOR,
    create_loan,
    latest_code,
    link_path,
)
from tests.signer_pages import (
    csrf_of,
    ink_png,
    json_post,
    sign_with_code,
    verify_identity,
)


@pytest.fixture
def bridge(home):
    app = create_app({"HOME": str(home), "DEMO": True})
    with app.app_context():
        api_app, _ = create_api_app("经销商甲", "JN001")
        create_loan(db.session.get(ApiApp, api_app.id), "SEC-LINK-1")
        app.borrower_path = link_path(BORROWER["mobile"])
    return app


def _data_csrf(page) -> str:
    """The token the sign page hands its script (a data attribute)."""
    return re.search(r'data-csrf="([^"]+)"', page.get_data(as_text=True))[1]


def _guarantor_path(bridge) -> str:
    """A live link for the guarantor, whose turn has not come."""
    with bridge.app_context():
        contract = db.session.scalar(db.select(Contract))
        path = f"/s/{issue_link(contract.signatories[1])}"
        db.session.commit()
    return path


TOKENS = [
    secrets.token_urlsafe(32),
    secrets.token_urlsafe(32),
    "A" * 43,
    "a",
    "x" * 500,
]
ODD = ["..%2F..%2Fetc%2Fpasswd", "%00", "' OR 1=1 --", "%E7%8E%8B", "a b"]


def test_guessed_tokens_all_get_the_same_404(bridge):
    client = bridge.test_client()
    answers = {
        (r.status_code, r.get_data()) for t in TOKENS for r in [client.get(f"/s/{t}")]
    }
    assert len(answers) == 1, answers
    assert {client.get(f"/s/{t}").status_code for t in ODD} == {404}
    status, body = answers.pop()
    assert status == 404
    # A near miss of a real token is no closer than a random one.
    real = bridge.borrower_path.rsplit("/", 1)[1]
    near = client.get(f"/s/{real[:-1]}{'A' if real[-1] != 'A' else 'B'}")
    assert (near.status_code, near.get_data()) == (404, body)


@pytest.mark.parametrize(
    "page", ["/identity", "/document", "/sign", "/pages/1.jpg", "/download", "/done"]
)
def test_guessed_tokens_open_no_page(bridge, page):
    response = bridge.test_client().get(f"/s/{secrets.token_urlsafe(32)}{page}")
    assert response.status_code == 404


def test_the_borrowers_code_does_not_sign_for_the_guarantor(bridge):
    """Codes are per signatory: one texted to the borrower opens nothing else."""
    client = bridge.test_client()
    path = bridge.borrower_path
    assert verify_identity(client, path, BORROWER).status_code == 302
    page = client.get(f"{path}/sign")
    sent = json_post(client, f"{path}/code", _data_csrf(page))
    assert sent.status_code == 200
    with bridge.app_context():
        code = latest_code(BORROWER["mobile"])
    other = bridge.test_client()
    early = _guarantor_path(bridge)
    assert verify_identity(other, early, GUARANTOR).status_code == 409  # not its turn
    refused = json_post(
        other,
        f"{early}/sign",
        csrf_of(other.get(f"{early}/reject")),
        {"signature": ink_png(), "code": code},
    )
    assert refused.status_code == 409
    assert refused.get_json()["code"] in {"identity_required", "not_your_turn"}
    # The borrower's own page still takes the code: nothing was consumed.
    signed = json_post(
        client, f"{path}/sign", _data_csrf(page), {"signature": ink_png(), "code": code}
    )
    assert signed.status_code == 200, signed.get_json()


def test_a_code_lock_holds_in_a_fresh_browser(bridge):
    client = bridge.test_client()
    path = bridge.borrower_path
    verify_identity(client, path, BORROWER)
    response, csrf = sign_with_code(bridge, client, path, BORROWER, code="000000")
    for _ in range(4):
        response = json_post(
            client, f"{path}/sign", csrf, {"signature": ink_png(), "code": "000001"}
        )
    assert response.status_code == 423
    fresh = bridge.test_client()
    assert verify_identity(fresh, path, BORROWER).status_code == 302
    page = fresh.get(f"{path}/sign")
    again = json_post(fresh, f"{path}/code", _data_csrf(page))
    assert again.status_code in (423, 429)
    assert int(again.headers["Retry-After"]) > 0


def test_every_signer_post_needs_its_csrf_token(bridge):
    client = bridge.test_client()
    path = bridge.borrower_path
    verify_identity(client, path, BORROWER)
    stranger = bridge.test_client()
    stranger_token = csrf_of(stranger.get(f"{path}/reject"))
    for action in ("/identity", "/code", "/sign", "/reject"):
        for headers in ({}, {"X-CSRF-Token": stranger_token}, {"X-CSRF-Token": ""}):
            response = client.post(
                f"{path}{action}",
                json={"code": "123456", "reason": "x"},
                headers={**headers, "Accept": "application/json"},
            )
            assert (response.status_code, response.get_json()["code"]) == (
                403,
                "csrf_failed",
            ), action
    assert client.get(path).status_code == 200  # still unsigned, not rejected


def test_every_operator_post_needs_its_csrf_token(bridge):
    client = bridge.test_client()
    client.get("/op/login")
    for action in (
        "/op/login/code",
        "/op/login",
        "/op/logout",
        "/op/signatories/1/seal",
    ):
        response = client.post(
            action,
            json={"mobile": "13800000000", "code": "123456"},
            headers={"Accept": "application/json", "Origin": "https://evil.example"},
        )
        assert response.status_code == 403, action
        assert response.get_json()["code"] == "csrf_failed"
