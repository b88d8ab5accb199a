"""Dealer operators: SMS login, their company's contracts, authorised seals only,
the preview, sealing in turn; head office authorises with the CLI."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from sqlalchemy import select

from bridge import create_app
from bridge.errors import InvalidInputError
from bridge.extensions import db
from bridge.models import ApiApp, Contract, Operator
from bridge.services import contracts, operators
from bridge.services.apps import create_api_app
from bridge.services.audit import Actor
from tests.pdfs import red_fraction
from tests.signed_client import SignedClient, new_api_app
from tests.signer_contracts import (
    DEALER,
    DEALER_CREDIT_CODE,
    create_loan,
    latest_code,
    texts_to,
)

MOBILE = "13700000001"

pytestmark = pytest.mark.database


@pytest.fixture
def bridge(home, cli, seal_names):
    app = create_app({"HOME": str(home)})
    with app.app_context():
        app.api_app_id = create_api_app("经销商甲", "JN001")[0].id
    assert (
        cli(
            "operators",
            "add",
            "--mobile",
            MOBILE,
            "--name",
            "赵六",
            "--company",
            DEALER,
        ).exit_code
        == 0
    )
    authorised = cli("seals", "authorize", seal_names["dealer"], "--operator", MOBILE)
    assert authorised.output.strip().endswith("authorised")
    refused = cli("seals", "authorize", seal_names["official"], "--operator", MOBILE)
    assert refused.exit_code == 2
    assert "[seal_of_other_company]" in refused.output
    app.seal_id = None
    return app


def _loan_at_dealer(bridge, biz_id="OP-1"):
    """A loan whose persons have signed: the dealer's turn."""
    with bridge.app_context():
        contract = create_loan(
            db.session.get(ApiApp, bridge.api_app_id), biz_id, guarantor=False
        )
        contracts.sign_in_turn(contract, contract.signatories[0], Actor("test"))
        return contract.id


def _log_in(bridge, client):
    page = client.get("/op/login").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', page)[1]
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    sent = client.post("/op/login/code", json={"mobile": MOBILE}, headers=headers)
    assert sent.status_code == 200
    with bridge.app_context():
        code = latest_code(MOBILE)
    answer = client.post(
        "/op/login", json={"mobile": MOBILE, "code": code}, headers=headers
    )
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["redirect"]


def test_operators_are_texted_once_when_their_company_s_turn_comes(bridge):
    """Once when the turn begins, again on 催签; never before their turn."""
    with bridge.app_context():
        api_app = db.session.get(ApiApp, bridge.api_app_id)
        contract = create_loan(api_app, "OP-TEXT")
        assert texts_to(MOBILE) == []  # borrower's turn
        for person in contract.signatories[:2]:
            contracts.sign_in_turn(contract, person, Actor("test"))
        texts = texts_to(MOBILE)
        assert len(texts) == 1
        assert f"《{contract.subject}》待{DEALER}盖章" in texts[0]
        assert texts[0].startswith("【重汽金融】赵六您好")
        assert "/op 用印" in texts[0]
        contracts.remind_contract(api_app, contract.id, Actor("test"))
        again = texts_to(MOBILE)
        assert len(again) == 2
        assert "提醒尽快登录" in again[1]


def test_the_operator_previews_and_seals_with_an_authorised_seal(bridge, tmp_path):
    contract_id = _loan_at_dealer(bridge)
    client = bridge.test_client()
    assert client.get("/op/").headers["Location"].endswith("/op/login")
    listing = client.get(_log_in(bridge, client)).get_data(as_text=True)
    assert "借款合同" in listing
    link = re.search(r'href="(/op/signatories/\d+)"', listing)[1]
    page = client.get(link).get_data(as_text=True)
    seal_ids = re.findall(r'name="seal" value="(\w+)"', page)
    assert len(set(seal_ids)) == 1  # only the authorised contract seal
    preview = client.get(
        re.search(r'src="(/op/signatories/\d+/preview/\w+\.jpg)"', page)[1]
    )
    shown = tmp_path / "preview.jpg"
    shown.write_bytes(preview.data)
    with Image.open(shown) as image:
        width, height = image.size
    assert red_fraction(shown, (0, 0, width, height)) > 0.005  # the red seal is drawn
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    sealed = client.post(f"{link}/seal", data={"seal": seal_ids[0], "csrf_token": csrf})
    assert sealed.status_code == 200
    with bridge.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract.status == "COMPLETE"  # the lender seals automatically after
        signed = [e for e in contract_events(contract_id) if e.type == "signed"]
        assert signed[1].actor == f"operator:{MOBILE}"


def contract_events(contract_id):
    from bridge.models import ContractEvent

    return list(
        db.session.scalars(
            db.select(ContractEvent)
            .where(ContractEvent.contract_id == contract_id)
            .order_by(ContractEvent.seq)
        )
    )


def test_unauthorised_seals_and_other_companies_are_refused(bridge, seal_names):
    _loan_at_dealer(bridge)
    client = bridge.test_client()
    _log_in(bridge, client)
    with bridge.app_context():
        from bridge.services.seals import find_seal

        official = find_seal(seal_names["official"]).id
        contract = db.session.scalar(db.select(Contract))
        dealer, lender = contract.signatories[1], contract.signatories[2]
    page = client.get(f"/op/signatories/{dealer.id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    forbidden = client.post(
        f"/op/signatories/{dealer.id}/seal", data={"seal": official, "csrf_token": csrf}
    )
    assert forbidden.status_code == 403
    assert "无权" in forbidden.get_data(as_text=True)
    assert client.get(f"/op/signatories/{lender.id}").status_code == 404


def test_a_wrong_login_code_and_an_unknown_mobile(bridge):
    client = bridge.test_client()
    page = client.get("/op/login").get_data(as_text=True)
    headers = {
        "X-CSRF-Token": re.search(r'data-csrf="([^"]+)"', page)[1],
        "Accept": "application/json",
    }
    unknown = client.post(
        "/op/login/code", json={"mobile": "13700000009"}, headers=headers
    )
    assert unknown.get_json()["sent"]  # no hint whether the mobile is an operator
    with bridge.app_context():
        assert latest_code_or_none("13700000009") is None
    client.post("/op/login/code", json={"mobile": MOBILE}, headers=headers)
    wrong = client.post(
        "/op/login", json={"mobile": MOBILE, "code": "abcdef"}, headers=headers
    )
    assert wrong.status_code == 422
    assert wrong.get_json()["code"] == "otp_invalid"


def latest_code_or_none(mobile):
    try:
        return latest_code(mobile)
    except IndexError:
        return None


def test_head_office_registers_operators_and_authorises_seals_over_the_api(
    app, seal_names
):
    office_keys = new_api_app(app, "总部", "*", head_office=True)[:2]
    office = SignedClient(app.test_client(), *office_keys)
    dealer = SignedClient(app.test_client(), *new_api_app(app)[:2])
    person = {"mobile": "13700000002", "name": "钱七", "company": DEALER}
    assert dealer.post("/api/v1/operators", json=person).status_code == 403
    created = office.post("/api/v1/operators", json=person)
    assert created.status_code == 201
    assert created.get_json()["seals"] == []
    again = office.post("/api/v1/operators", json=person)
    assert (again.status_code, again.get_json()["code"]) == (409, "operator_exists")
    bad = office.post("/api/v1/operators", json={**person, "mobile": "123"})
    assert bad.status_code == 400
    granted = office.post(
        "/api/v1/operators/13700000002/seals", json={"seal": seal_names["dealer"]}
    )
    assert granted.get_json()["seals"] == [seal_names["dealer"]]
    other = office.post(
        "/api/v1/operators/13700000002/seals", json={"seal": seal_names["official"]}
    )
    assert other.status_code == 409
    assert other.get_json()["code"] == "seal_of_other_company"
    unknown = office.post("/api/v1/operators/13700000009/seals", json={"seal": "x"})
    assert unknown.status_code == 404


def test_an_operator_with_a_credit_code_is_matched_by_it_not_by_the_name(bridge):
    """The finance system writes the company's name its own way; the code is one."""
    with bridge.app_context():
        api_app = db.session.get(ApiApp, bridge.api_app_id)
        by_code = operators.add_operator(
            "13700000003", "孙八", "济南重汽商用车销售服务有限公司", DEALER_CREDIT_CODE
        )
        namesake = operators.add_operator(
            "13700000004",
            "周九",
            DEALER,
            "91370100MA3D8N7Q2L",  # another code
        )
        renamed = "济南重汽商用车销售服务有限公司（天桥）"
        contract = create_loan(api_app, "OP-CODE", guarantor=False, dealer=renamed)
        contracts.sign_in_turn(contract, contract.signatories[0], Actor("test"))
        mine = operators.assignments(by_code)
        assert [a.contract.id for a in mine] == [contract.id]
        assert operators.assignments(namesake) == []
        name_only = db.session.scalar(select(Operator).where(Operator.mobile == MOBILE))
        assert name_only.credit_code is None
        assert operators.assignments(name_only) == []  # the name differs
        assert len(texts_to("13700000003")) == 1
        assert texts_to("13700000004") == []
    with pytest.raises(InvalidInputError) as caught, bridge.app_context():
        operators.add_operator("13700000005", "吴十", DEALER, "91370100MA3C5XK21X")
    assert "creditCode" in caught.value.details
