"""The signer pages over HTTP (Flask's client): links bound to one signatory,
order, expiry, identity, codes and their lock, rejection with its callback,
recall revoking links, CSRF and page weight."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
from datetime import timedelta

import pytest
from PIL import Image

from bridge import create_app
from bridge.extensions import db
from bridge.models import Contract, ContractEvent, SigningLink, utcnow
from bridge.services import contracts
from bridge.services.apps import create_api_app, webhook_secrets
from bridge.services.audit import Actor
from tests.signer_contracts import (
    BORROWER,
    GUARANTOR,
    create_loan,
    latest_code,
    link_path,
    texts_to,
)
from tests.signer_pages import (
    csrf_of,
    ink_png,
    json_post,
    sign_with_code,
    verify_identity,
)
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.database


@pytest.fixture
def bridge(home):
    app = create_app({"HOME": str(home), "DEMO": True})
    receiver = WebhookReceiver()
    with app.app_context():
        api_app, _ = create_api_app("经销商甲", "JN001", callback_url=receiver.url)
        receiver.secrets.extend(webhook_secrets(api_app))
        app.api_app_id = api_app.id
    app.receiver = receiver
    yield app
    receiver.close()


def _loan(bridge, biz_id="L-1", **options):
    from bridge.models import ApiApp

    with bridge.app_context():
        contract = create_loan(
            db.session.get(ApiApp, bridge.api_app_id), biz_id, **options
        )
        return contract.id


def _path(bridge, person):
    with bridge.app_context():
        return link_path(person["mobile"])


def test_the_borrower_signs_and_the_guarantor_is_texted_next(bridge):
    contract_id = _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    assert len(path.split("/")[-1]) >= 43  # 256 bits, URL-safe base64
    landing = client.get(path)
    assert "经销商甲" in landing.get_data(as_text=True)
    assert verify_identity(client, path, BORROWER).status_code == 302
    assert client.get(f"{path}/pages/3.jpg").mimetype == "image/jpeg"
    signed, _ = sign_with_code(bridge, client, path, BORROWER)
    assert signed.status_code == 200, signed.get_json()
    assert client.get(signed.get_json()["redirect"]).status_code == 200
    assert client.get(f"{path}/download").mimetype == "application/pdf"
    with bridge.app_context():
        contract = db.session.get(Contract, contract_id)
        assert [s.status for s in contract.signatories][:2] == ["SIGNED", "WAITING"]
        types = [
            e.type
            for e in db.session.scalars(
                db.select(ContractEvent).where(ContractEvent.contract_id == contract_id)
            )
        ]
        assert (
            types.index("identity_verified")
            < types.index("willingness_confirmed")
            < types.index("signed")
        )
        evidence = next(
            e.data
            for e in db.session.scalars(
                db.select(ContractEvent).where(
                    ContractEvent.type == "identity_verified"
                )
            )
        )
        assert evidence["idNumber"] == "370102********1231"
        assert evidence["method"] == "sandbox-3e"
        assert evidence["providerRef"]
        assert link_path(GUARANTOR["mobile"])  # the guarantor's turn: texted


def test_a_link_opened_before_its_turn_shows_who_is_awaited(bridge):
    _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)  # only the borrower has a link so far
    with bridge.app_context():
        contract = db.session.scalar(db.select(Contract))
        guarantor = contract.signatories[1]
        from bridge.services.signing_links import issue_link

        early = f"/s/{issue_link(guarantor)}"
        db.session.commit()
    page = client.get(early).get_data(as_text=True)
    assert "正在等待" in page
    assert BORROWER["name"] in page
    assert verify_identity(client, early, GUARANTOR).status_code == 409
    assert client.get(f"{path}/sign").status_code == 302  # not verified here yet


def test_a_link_is_useless_for_another_signatory_or_contract(bridge):
    _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    # The borrower's link with the guarantor's identity: refused, and evidence kept.
    wrong = verify_identity(client, path, GUARANTOR)
    assert wrong.status_code == 400
    assert "不一致" in wrong.get_data(as_text=True)
    # Verified on one link does not open another contract's link.
    verify_identity(client, path, BORROWER)
    second = _loan(bridge, "L-2")
    with bridge.app_context():
        other = link_path(BORROWER["mobile"])
        assert db.session.get(SigningLink, 2).contract_id == second
    assert other != path
    assert client.get(f"{other}/pages/1.jpg").status_code == 409
    assert client.get("/s/" + "A" * 43).status_code == 404


def test_five_wrong_codes_lock_the_signatory(bridge):
    _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    verify_identity(client, path, BORROWER)
    answers = []
    response, csrf = sign_with_code(bridge, client, path, BORROWER, code="000000")
    answers.append(response.get_json()["code"])
    for _ in range(4):
        answers.append(
            json_post(
                client,
                f"{path}/sign",
                csrf,
                {"signature": ink_png(), "code": "000000"},
            ).get_json()["code"]
        )
    with bridge.app_context():
        real = latest_code(BORROWER["mobile"])
    if real == "000000":
        pytest.skip("the random code happened to be 000000")
    locked = json_post(
        client, f"{path}/sign", csrf, {"signature": ink_png(), "code": real}
    )
    assert answers == ["otp_invalid"] * 4 + ["otp_locked"]
    assert locked.status_code == 423
    assert "锁定" in locked.get_json()["message"]


def test_an_expired_link_and_a_recalled_contract(bridge):
    contract_id = _loan(bridge, expires_at=utcnow() + timedelta(minutes=5))
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    with bridge.app_context():
        contract = db.session.get(Contract, contract_id)
        contract.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 410
    with bridge.app_context():
        assert contracts.expire_due() == 1
    gone = client.get(path)
    assert gone.status_code == 410
    assert "已失效" in gone.get_data(as_text=True)

    second = _loan(bridge, "L-2")
    path = _path(bridge, BORROWER)
    assert client.get(path).status_code == 200
    with bridge.app_context():
        api_app = db.session.get(Contract, second).app_id
        from bridge.models import ApiApp

        contracts.recall_contract(
            db.session.get(ApiApp, api_app), second, Actor("test"), "重做"
        )
        assert (
            db.session.scalar(
                db.select(SigningLink).where(SigningLink.contract_id == second)
            ).revoked_reason
            == "recalled"
        )
    assert client.get(path).status_code == 410


def test_rejection_with_a_reason_calls_back(bridge):
    contract_id = _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    form = client.get(f"{path}/reject")
    assert (
        client.post(
            f"{path}/reject", data={"reason": "", "csrf_token": csrf_of(form)}
        ).status_code
        == 400
    )
    done = client.post(
        f"{path}/reject", data={"reason": "利率不对", "csrf_token": csrf_of(form)}
    )
    assert done.status_code == 200
    assert "已拒绝" in done.get_data(as_text=True)
    with bridge.app_context():
        contract = db.session.get(Contract, contract_id)
        assert (contract.status, contract.status_reason) == ("REJECTED", "利率不对")
        texts_to(BORROWER["mobile"])  # delivers the outbox: texts and callbacks
    events = [json.loads(d.body) for d in bridge.receiver.deliveries]
    assert all(d.verified for d in bridge.receiver.deliveries)
    assert [e["event_type"] for e in events] == ["contract.sent", "contract.rejected"]
    assert events[-1]["data"]["reason"] == "利率不对"


def test_posts_need_the_csrf_token_and_pages_are_light(bridge):
    _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    refused = client.post(f"{path}/identity", data=BORROWER)
    assert refused.status_code == 403
    assert "页面已过期" in refused.get_data(as_text=True)
    verify_identity(client, path, BORROWER)
    for page in ("", "/identity", "/document", "/sign", "/reject"):
        response = client.get(path + page)
        assert response.status_code == 200
        assert len(response.data) < 200_000
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert "<script>" not in response.get_data(as_text=True)
    for asset in ("app.css", "pad.js", "sign.js", "document.js"):
        with client.get(f"/s/static/{asset}") as response:
            assert len(response.data) < 20_000
    cookie = client.get_cookie("sb_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_bad_signature_images_are_clear_errors(bridge):
    _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    verify_identity(client, path, BORROWER)
    page = client.get(f"{path}/sign")
    csrf = re.search(r'data-csrf="([^"]+)"', page.get_data(as_text=True))[1]
    blank = io.BytesIO()
    Image.new("RGBA", (300, 100), (0, 0, 0, 0)).save(blank, format="PNG")
    for signature, code in (
        (
            "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode(),
            "empty_signature",
        ),
        ("data:image/png;base64,bm90IGEgcG5n", "invalid_signature"),
        ("data:image/png;base64,***", "invalid_signature"),
        ("", "empty_signature"),
    ):
        answer = json_post(
            client, f"{path}/sign", csrf, {"signature": signature, "code": "123456"}
        )
        assert (answer.status_code, answer.get_json()["code"]) in (
            (400, code),
            (422, code),
        )


def test_progress_shows_the_signer_and_a_reminder_texts_a_fresh_link(bridge):
    from bridge.api.contract_io import contract_json
    from bridge.models import ApiApp

    contract_id = _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    verify_identity(client, path, BORROWER)
    assert sign_with_code(bridge, client, path, BORROWER)[0].status_code == 200
    with bridge.app_context():
        body = contract_json(db.session.get(Contract, contract_id))
        borrower, guarantor = body["signatories"][:2]
        assert borrower["status"] == "SIGNED"
        assert borrower["signedAt"]
        assert body["next"] == [guarantor["id"]]
        timeline = [event["type"] for event in body["timeline"]]
        assert {"identity_verified", "code_sent", "willingness_confirmed"} <= set(
            timeline
        )
        first = link_path(GUARANTOR["mobile"])
        api_app = db.session.get(ApiApp, bridge.api_app_id)
        reminded = contracts.remind_contract(api_app, contract_id, Actor("test"))
        assert [s.name for s in reminded] == [GUARANTOR["name"]]
        second = link_path(GUARANTOR["mobile"])
    assert second != first
    for link in (first, second):
        assert client.get(link).status_code == 200


def test_guessing_identities_through_a_link_is_limited(bridge):
    _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    answers = [
        verify_identity(client, path, {**BORROWER, "id_number": GUARANTOR["id_number"]})
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [400] * 5 + [429]
    assert "1小时" in answers[-1].get_data(as_text=True)


def test_cookies_are_secure_behind_https(home):
    app = create_app({"HOME": str(home), "PUBLIC_URL": "https://sign.example.com"})
    client = app.test_client()
    client.get("/op/login")
    assert client.get_cookie("sb_session").secure


def test_id_numbers_never_reach_the_log_or_the_audit_chain_unmasked(bridge, caplog):
    contract_id = _loan(bridge)
    client = bridge.test_client()
    path = _path(bridge, BORROWER)
    with caplog.at_level(logging.DEBUG):
        verify_identity(client, path, {**BORROWER, "id_number": GUARANTOR["id_number"]})
        verify_identity(client, path, BORROWER)
        assert sign_with_code(bridge, client, path, BORROWER)[0].status_code == 200
    assert BORROWER["id_number"] not in caplog.text
    assert GUARANTOR["id_number"] not in caplog.text
    with bridge.app_context():
        events = db.session.scalars(
            db.select(ContractEvent).where(ContractEvent.contract_id == contract_id)
        )
        chain = json.dumps([e.data for e in events], ensure_ascii=False)
    assert "370102********1231" in chain
    assert BORROWER["id_number"] not in chain
    assert GUARANTOR["id_number"] not in chain
