"""Completed contracts for evidence and archive tests, signed through the API.

The borrower's identity check and SMS-code confirmation are recorded as the
signer pages record them (the same audit events), then the contract is signed
and sealed: COMPLETE, hence archived.
"""

from __future__ import annotations

import io
import json

from bridge.extensions import db
from bridge.models import Contract
from bridge.services.audit import Actor, record_event
from tests.parties import BORROWER, LENDER
from tests.pdfs import chinese_pdf
from tests.signed_client import SignedClient, multipart_body, new_api_app

__all__ = [
    "BORROWER_ID",
    "BORROWER_MOBILE",
    "create_signed_contract",
    "store_clients",
]

BORROWER_ID = "370102199001011231"
BORROWER_MOBILE = "13853112345"


def _upload_meta(biz_id: str, name: str, id_number: str, mobile: str) -> dict:
    return {
        "bizId": biz_id,
        "subject": "个人汽车消费借款合同",
        "category": "loan_contract",
        "send": True,
        "signatories": [
            {**BORROWER, "name": name, "idNumber": id_number, "mobile": mobile},
            LENDER,
        ],
    }


def create_signed_contract(
    app,
    api: SignedClient,
    biz_id: str,
    name: str = "王小明",
    id_number: str = BORROWER_ID,
    mobile: str = BORROWER_MOBILE,
) -> dict:
    """Upload, verify the borrower's identity and SMS code (events), sign: COMPLETE."""
    created = api.post(
        "/api/v1/contracts",
        **multipart_body(
            {
                "meta": json.dumps(
                    _upload_meta(biz_id, name, id_number, mobile), ensure_ascii=False
                ),
                "file": (io.BytesIO(chinese_pdf(2)), "loan.pdf", "application/pdf"),
            }
        ),
    )
    assert created.status_code == 201, created.get_json()
    contract = created.get_json()
    borrower = contract["signatories"][0]
    signer = Actor(
        f"signer:{name}", "203.0.113.7", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"
    )
    with app.app_context():
        row = db.session.get(Contract, contract["id"])
        # What the signer pages record (their idNumber is masked already; a
        # clear one here proves the report masks it anyway).
        record_event(
            row,
            "identity_verified",
            signer,
            data={
                "signatory": borrower["id"],
                "method": "three-factor",
                "providerRef": "SBX-0001",
                "idNumber": id_number,
            },
        )
        record_event(row, "code_sent", signer, data={"signatory": borrower["id"]})
        record_event(
            row,
            "willingness_confirmed",
            signer,
            data={"signatory": borrower["id"], "method": "sms-otp"},
        )
        db.session.commit()
    signed = api.post(
        f"/api/v1/contracts/{contract['id']}/signatories/{borrower['id']}/sign"
    )
    assert signed.get_json()["status"] == "COMPLETE", signed.get_json()
    return signed.get_json()


def store_clients(app) -> dict[str, SignedClient]:
    """Signed clients of two dealer stores (JN001, QD002) and head office (*)."""
    client = app.test_client()
    apis = {}
    for name, tenant, office in (
        ("经销商甲", "JN001", False),
        ("经销商乙", "QD002", False),
        ("总部", "*", True),
    ):
        key, secret, _ = new_api_app(app, name, tenant, head_office=office)
        apis[tenant] = SignedClient(client, key, secret)
    return apis
