"""The finance system's API end to end over real HTTP: scenarios 1–4, callbacks,
idempotency, tenancy, state transitions and bad input."""

from __future__ import annotations

import copy
import json
import re

import pdfplumber
import pytest

from bridge import create_app
from bridge.documents.finance_templates import get_template
from bridge.extensions import db
from bridge.models import Contract, ContractEvent
from bridge.outbox.dispatch import dispatch_due
from bridge.outbox.webhooks import verify_webhook
from bridge.services.apps import create_api_app, webhook_secrets
from bridge.services.audit import verify_chain
from bridge.services.seals import create_seal
from bridge.services.verification import verify
from examples.finance_client import ApiError, FinanceClient
from tests.parties import GUARANTOR, LENDER
from tests.pdfs import chinese_pdf, pdfsig, widgets
from tests.signed_client import SignedClient
from tests.webhook_receiver import WebhookReceiver
from tests.wsgi_server import waitress_server

pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def bridge(seeded_home, tmp_path_factory, instances):
    """The bridge on loopback, a webhook receiver, and three apps' clients."""
    home = instances.new(tmp_path_factory.mktemp("api") / "instance", seeded_home)
    app = create_app({"HOME": str(home), "CONVERSION_POOL_SIZE": 1})
    receiver = WebhookReceiver()
    clients, hooks = {}, {}
    with app.app_context():
        # The dealer has an official seal too; contracts take its contract seal.
        create_seal(company="济南重汽商用车销售服务有限公司", kind="official")
        for name, tenant, office in (
            ("经销商甲", "JN001", False),
            ("经销商乙", "QD002", False),
            ("总部", "*", True),
        ):
            api_app, secret = create_api_app(
                name, tenant, callback_url=receiver.url, head_office=office
            )
            receiver.secrets.extend(webhook_secrets(api_app))
            clients[tenant] = (api_app.app_key, secret)
            hooks[tenant] = webhook_secrets(api_app)
    with waitress_server(app) as base:
        yield {
            "app": app,
            "receiver": receiver,
            "dealer": FinanceClient(base, *clients["JN001"]),
            "other": FinanceClient(base, *clients["QD002"]),
            "office": FinanceClient(base, *clients["*"]),
            "webhook_secrets": hooks,
        }
    receiver.close()
    from bridge.services.conversion import converter

    with app.app_context():
        converter().close()


def _params(name: str, **changes) -> dict:
    params = copy.deepcopy(get_template(name).schema["examples"][0])
    params.update(changes)
    return params


def _create(client, biz_id, template="loan_contract", send=True, **changes):
    return client.post(
        "/api/v1/contracts",
        json={
            "bizId": biz_id,
            "template": template,
            "parameters": _params(template, **changes),
            "businessData": {"loanNo": biz_id},
            "send": send,
        },
    )


def _sign_all(client, contract):
    for signatory in contract["signatories"]:
        if not signatory["auto"]:
            contract = client.post(
                f"/api/v1/contracts/{contract['id']}/signatories/{signatory['id']}/sign"
            )
    return contract


def _deliver(bridge) -> list[dict]:
    with bridge["app"].app_context():
        while dispatch_due().delivered:
            pass
    return [json.loads(d.body) for d in bridge["receiver"].deliveries]


def _events_of(bridge, contract_id):
    return [e for e in _deliver(bridge) if e["data"]["contractId"] == contract_id]


def test_scenario_1_credit_authorization(bridge, tmp_path):
    dealer = bridge["dealer"]
    borrower = {
        "name": "王小明",
        "idNumber": "370102199001011231",
        "mobile": "13853112345",
    }
    first = dealer.post("/api/v1/credit-authorizations", json={"borrower": borrower})
    assert first["status"] == "SIGNING"
    assert first["category"] == "credit_authorization"
    again = dealer.post("/api/v1/credit-authorizations", json={"borrower": borrower})
    assert again["id"] == first["id"]  # the one out for signing, not a second
    signed = _sign_all(dealer, first)
    assert signed["status"] == "COMPLETE"
    valid = dealer.post("/api/v1/credit-authorizations", json={"borrower": borrower})
    assert valid["id"] == first["id"]
    assert valid["status"] == "COMPLETE"
    events = _events_of(bridge, first["id"])
    assert [e["event_type"] for e in events] == [
        "contract.sent",
        "signatory.signed",
        "contract.completed",
    ]
    assert all(d.verified for d in bridge["receiver"].deliveries)
    assert events[-1]["data"]["documentSha256"] == signed["documents"][0]["sha256"]


def test_scenario_2_four_party_loan_contract(bridge, tmp_path):
    dealer = bridge["dealer"]
    contract = _create(dealer, "LOAN-2026-0001")
    assert contract["status"] == "SIGNING"
    assert [s["role"] for s in contract["signatories"]] == [
        "borrower",
        "guarantor",
        "dealer",
        "lender",
    ]
    assert contract["signatories"][0]["idNumber"].count("*") == 8  # masked
    borrower, guarantor, store, lender = contract["signatories"]
    assert contract["next"] == [borrower["id"]]
    with pytest.raises(ApiError) as caught:  # the dealer store before the borrower
        dealer.post(
            f"/api/v1/contracts/{contract['id']}/signatories/{store['id']}/sign"
        )
    assert caught.value.status == 409
    assert caught.value.code == "not_your_turn"
    after = dealer.post(
        f"/api/v1/contracts/{contract['id']}/signatories/{borrower['id']}/sign"
    )
    assert after["next"] == [guarantor["id"]]
    done = _sign_all(dealer, after | {"signatories": after["signatories"][1:]})
    assert done["status"] == "COMPLETE"
    assert all(s["status"] == "SIGNED" for s in done["signatories"])
    assert [e["type"] for e in done["timeline"]][-2:] == ["signed", "completed"]
    final = dealer.download(
        f"/api/v1/contracts/{contract['id']}/document?version=final",
        tmp_path / "loan.pdf",
    )
    *signatures, archive = pdfsig(final, None)
    assert [s["Signature Validation"] for s in signatures] == [
        "Signature is Valid."
    ] * 4
    # The platform's document timestamp over everything (PAdES B-LTA); poppler
    # lists it but cannot check one, pyHanko's validator can.
    assert archive["Signer Certificate Common Name"] == "Sealbridge Timestamp Authority"
    with bridge["app"].app_context():
        report = verify(final.read_bytes())
    assert report.indication == "PASSED"
    assert [r.level for r in report.signatures] == ["B-LTA"] * 4 + [None]
    assert report.signatures[-1].kind == "document_timestamp"
    names = [s["Signer Certificate Common Name"] for s in signatures]
    assert names[:2] == ["张建国", "李秀英"]
    assert names[2] == "济南重汽商用车销售服务有限公司合同专用章"
    assert "重汽汽车金融有限公司" in names[3]
    _assert_each_date_label_is_filled(final)
    types = [e["event_type"] for e in _events_of(bridge, contract["id"])]
    assert types == ["contract.sent"] + ["signatory.signed"] * 4 + [
        "contract.completed"
    ]


def _assert_each_date_label_is_filled(pdf_path):
    """Every 日期： under a signature line has a date widget right after it."""
    with pdfplumber.open(pdf_path) as document:
        page = document.pages[-1]
        labels = page.search("日期：")
        boxes = [w for w in widgets(page) if w["x1"] - w["x0"] < 100]
        assert len(labels) == 4
        for label in labels:
            assert any(
                abs(box["x0"] - label["x1"]) < 5
                and box["top"] < (label["top"] + label["bottom"]) / 2 < box["bottom"]
                for box in boxes
            ), label


def test_scenario_3_lease_contract_and_recall(bridge):
    dealer = bridge["dealer"]
    lease = _create(dealer, "LEASE-2026-0001", template="lease_contract")
    assert _sign_all(dealer, lease)["status"] == "COMPLETE"
    other = _create(dealer, "LEASE-2026-0002", template="lease_contract")
    recalled = dealer.post(
        f"/api/v1/contracts/{other['id']}/recall", json={"reason": "客户取消购车"}
    )
    assert recalled["status"] == "RECALLED"
    with pytest.raises(ApiError) as caught:
        dealer.post(
            f"/api/v1/contracts/{other['id']}/signatories/"
            f"{other['signatories'][0]['id']}/sign"
        )
    assert caught.value.code == "not_signing"
    assert _events_of(bridge, other["id"])[-1]["event_type"] == "contract.recalled"


def test_scenario_4_uploaded_guarantee_letter_then_invalidated(bridge, tmp_path):
    dealer = bridge["dealer"]
    meta = {
        "bizId": "GUAR-2026-0001",
        "subject": "担保函（外部文本）",
        "category": "guarantee_letter",
        "send": True,
        "signatories": [GUARANTOR, LENDER],
    }
    files = {
        "meta": (None, json.dumps(meta, ensure_ascii=False)),
        "file": ("guarantee.pdf", chinese_pdf(2), "application/pdf"),
    }
    created = dealer.post("/api/v1/contracts", files=files)
    done = _sign_all(dealer, created)
    assert done["status"] == "COMPLETE"
    void = dealer.post(
        f"/api/v1/contracts/{created['id']}/invalidate", json={"reason": "担保人变更"}
    )
    assert void["status"] == "INVALIDATED"
    assert [d["kind"] for d in void["documents"]] == ["contract", "invalidation"]
    with pytest.raises(ApiError) as caught:
        dealer.post(
            f"/api/v1/contracts/{created['id']}/invalidate", json={"reason": "again"}
        )
    assert caught.value.code == "invalid_transition"


def test_biz_id_makes_creation_idempotent(bridge):
    dealer = bridge["dealer"]
    first = _create(dealer, "LOAN-IDEM-1", send=False)
    assert first["status"] == "DRAFT"
    assert _create(dealer, "LOAN-IDEM-1", send=False)["id"] == first["id"]
    with pytest.raises(ApiError) as caught:
        _create(dealer, "LOAN-IDEM-1", send=False, signing_place="山东省青岛市")
    assert caught.value.status == 409
    assert caught.value.code == "biz_id_conflict"


def test_status_polls_revalidate_with_etags_and_see_every_change(bridge):
    dealer, other = bridge["dealer"], bridge["other"]
    contract = _create(dealer, "ETAG-2026-0001")
    path = f"/api/v1/contracts/{contract['id']}"
    test_client = bridge["app"].test_client()
    polls = SignedClient(test_client, dealer.app_key, dealer.app_secret)
    first = polls.get(path)
    etag = first.headers["ETag"]
    assert first.status_code == 200
    assert first.get_json() == dealer.get(path)

    unchanged = polls.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""

    borrower = contract["signatories"][0]
    dealer.post(f"{path}/signatories/{borrower['id']}/sign")
    changed = polls.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["signatories"][0]["status"] == "SIGNED"
    assert changed.get_json()["timeline"][-1]["type"] == "signed"

    stranger = SignedClient(test_client, other.app_key, other.app_secret)
    hidden = stranger.get(path, headers={"If-None-Match": changed.headers["ETag"]})
    assert hidden.status_code == 404
    assert "ETag" not in hidden.headers


def test_other_tenants_see_nothing_and_head_office_sees_all(bridge):
    dealer, other, office = bridge["dealer"], bridge["other"], bridge["office"]
    contract = _create(dealer, "LOAN-TENANT-1")
    cid, sid = contract["id"], contract["signatories"][0]["id"]
    for method, path, body in (
        ("GET", f"/api/v1/contracts/{cid}", None),
        ("POST", f"/api/v1/contracts/{cid}/send", None),
        ("POST", f"/api/v1/contracts/{cid}/recall", {"reason": "x"}),
        ("POST", f"/api/v1/contracts/{cid}/invalidate", {"reason": "x"}),
        ("POST", f"/api/v1/contracts/{cid}/remind", None),
        ("GET", f"/api/v1/contracts/{cid}/document", None),
        ("POST", f"/api/v1/contracts/{cid}/signatories/{sid}/sign", None),
        ("POST", f"/api/v1/contracts/{cid}/signatories/{sid}/reject", {"reason": "x"}),
    ):
        with pytest.raises(ApiError) as caught:
            other.request(method, path, json=body)
        assert caught.value.status == 404, path
    assert (
        other.get("/api/v1/contracts", params={"bizId": "LOAN-TENANT-1"})["total"] == 0
    )
    assert office.get(f"/api/v1/contracts/{cid}")["id"] == cid
    assert (
        office.get("/api/v1/contracts", params={"bizId": "LOAN-TENANT-1"})["total"] == 1
    )
    office.post(f"/api/v1/contracts/{cid}/recall", json={"reason": "总部撤回"})
    recalled = _events_of(bridge, cid)[-1]
    assert recalled["event_type"] == "contract.recalled"  # to the dealer who owns it
    delivery = next(
        d
        for d in bridge["receiver"].deliveries
        if json.loads(d.body)["event_id"] == recalled["event_id"]
    )
    secrets = bridge["webhook_secrets"]
    assert verify_webhook(delivery.headers, delivery.body, secrets["JN001"])
    assert not verify_webhook(delivery.headers, delivery.body, secrets["*"])


def test_transitions_legal_and_illegal(bridge):
    dealer = bridge["dealer"]
    draft = _create(dealer, "LOAN-STATE-1", send=False)
    cid = draft["id"]
    with pytest.raises(ApiError) as caught:
        dealer.post(f"/api/v1/contracts/{cid}/invalidate", json={"reason": "x"})
    assert caught.value.code == "invalid_transition"
    assert dealer.post(f"/api/v1/contracts/{cid}/send")["status"] == "SIGNING"
    with pytest.raises(ApiError) as caught:
        dealer.post(f"/api/v1/contracts/{cid}/send")
    assert (caught.value.status, caught.value.code) == (409, "invalid_transition")
    reminded = dealer.post(f"/api/v1/contracts/{cid}/remind")
    assert reminded["reminded"] == [draft["signatories"][0]["id"]]
    rejected = dealer.post(
        f"/api/v1/contracts/{cid}/signatories/{draft['signatories'][0]['id']}/reject",
        json={"reason": "利率有误"},
    )
    assert rejected["status"] == "REJECTED"
    for action in ("recall", "remind"):
        with pytest.raises(ApiError) as caught:
            dealer.post(f"/api/v1/contracts/{cid}/{action}", json={"reason": "x"})
        assert caught.value.status == 409
    assert _events_of(bridge, cid)[-1]["event_type"] == "contract.rejected"


def test_search_filters_and_pages(bridge):
    dealer = bridge["dealer"]
    for n in range(3):
        _create(dealer, f"LOAN-SEARCH-{n}", send=False)
    page = dealer.get("/api/v1/contracts", params={"status": "DRAFT", "pageSize": 2})
    assert len(page["items"]) == 2
    assert page["total"] >= 3
    second = dealer.get(
        "/api/v1/contracts", params={"status": "DRAFT", "pageSize": 2, "page": 2}
    )
    assert not {c["id"] for c in page["items"]} & {c["id"] for c in second["items"]}
    by_borrower = dealer.get(
        "/api/v1/contracts", params={"borrower": "张建国", "category": "loan_contract"}
    )
    assert by_borrower["total"] >= 3


def test_bad_input_is_a_4xx_with_field_messages_and_creates_nothing(bridge):
    dealer = bridge["dealer"]

    def count():
        with bridge["app"].app_context():
            return db.session.query(Contract).count()

    before = count()
    cases = [
        (
            {"bizId": "B1", "template": "no_such_template", "parameters": {}},
            404,
            "unknown_template",
            None,
        ),
        (
            {"bizId": 7, "template": "loan_contract", "parameters": {}},
            400,
            "invalid_request",
            "bizId",
        ),
        (
            {
                "bizId": "B2",
                "template": "loan_contract",
                "parameters": _params(
                    "loan_contract",
                    borrower={
                        "name": "张建国",
                        "id_number": "370102198506121238",
                        "mobile": "1395311234",
                    },
                    loan={**_params("loan_contract")["loan"], "amount": -5},
                ),
            },
            400,
            "invalid_parameters",
            None,
        ),
    ]
    for body, status, code, field in cases:
        with pytest.raises(ApiError) as caught:
            dealer.post("/api/v1/contracts", json=body)
        assert (caught.value.status, caught.value.code) == (status, code)
        if field:
            assert field in caught.value.fields
    fields = caught.value.fields
    assert {"borrower.id_number", "borrower.mobile", "loan.amount"} <= set(fields)
    with pytest.raises(ApiError) as caught:  # not JSON at all
        dealer.request("POST", "/api/v1/contracts", json=None)
    assert caught.value.status == 400
    not_pdf = {
        "meta": (None, json.dumps({"bizId": "U1"})),
        "file": ("x.pdf", b"hello", "application/pdf"),
    }
    with pytest.raises(ApiError) as caught:
        dealer.post("/api/v1/contracts", files=not_pdf)
    assert (caught.value.status, caught.value.code) == (422, "invalid_pdf")
    no_keyword = {
        "meta": (
            None,
            json.dumps(
                {
                    "bizId": "U2",
                    "subject": "担保函（外部文本）",
                    "category": "guarantee_letter",
                    "send": True,
                    "signatories": [
                        {**GUARANTOR, "keyword": "保证人（签字）："},
                        LENDER,
                    ],
                },
                ensure_ascii=False,
            ),
        ),
        "file": ("x.pdf", chinese_pdf(2), "application/pdf"),
    }
    with pytest.raises(ApiError) as caught:
        dealer.post("/api/v1/contracts", files=no_keyword)
    assert (caught.value.status, caught.value.code) == (400, "keyword_not_found")
    assert caught.value.fields == {"keywords": "保证人（签字）："}
    huge = {"meta": (None, "{}"), "file": ("x.pdf", b"%PDF-" + bytes(21 * 2**20), "a")}
    with pytest.raises(ApiError) as caught:
        dealer.post("/api/v1/contracts", files=huge)
    assert caught.value.status == 413
    with pytest.raises(ApiError) as caught:
        dealer.get("/api/v1/contracts/nope")
    assert (caught.value.status, caught.value.code) == (404, "unknown_contract")
    assert count() == before


def test_the_audit_chain_holds_and_shows_tampering(bridge):
    dealer = bridge["dealer"]
    contract = _sign_all(dealer, _create(dealer, "LOAN-AUDIT-1"))
    with bridge["app"].app_context():
        events = (
            db.session.query(ContractEvent)
            .filter_by(contract_id=contract["id"])
            .order_by(ContractEvent.seq)
            .all()
        )
        assert verify_chain(events)
        events[1].data = {**events[1].data, "name": "别人"}
        assert not verify_chain(events)
        db.session.rollback()


def test_templates_and_openapi_are_served(bridge):
    dealer = bridge["dealer"]
    templates = {t["name"] for t in dealer.get("/api/v1/templates")["templates"]}
    assert templates == {
        "credit_authorization",
        "loan_application",
        "loan_contract",
        "lease_contract",
        "guarantee_letter",
    }
    app = bridge["app"]
    client = app.test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    documented = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json":
            path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
            assert path in documented, path
    page = client.get("/api/docs/").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert not [a for a in assets if "//" in a]  # everything local, no CDN
    bundle = client.get("/api/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200
    assert b"SwaggerUIBundle" in bundle.data
    bundle.close()


def test_a_contract_past_its_deadline_expires_with_a_callback(bridge):
    from datetime import UTC, datetime, timedelta

    from bridge.services.contracts import expire_due

    dealer = bridge["dealer"]
    deadline = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    contract = dealer.post(
        "/api/v1/contracts",
        json={
            "bizId": "LOAN-EXPIRE-1",
            "template": "loan_contract",
            "parameters": _params("loan_contract"),
            "expiresAt": deadline,
            "send": True,
        },
    )
    with bridge["app"].app_context():
        assert expire_due(now=datetime.now(UTC)) == 0
        assert expire_due(now=datetime.now(UTC) + timedelta(days=2)) >= 1
    assert dealer.get(f"/api/v1/contracts/{contract['id']}")["status"] == "EXPIRED"
    assert _events_of(bridge, contract["id"])[-1]["event_type"] == "contract.expired"
