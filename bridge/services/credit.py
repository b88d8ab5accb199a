"""Scenario 1: the borrower's credit authorization (征信查询授权书).

The finance system asks whenever a dealer queries a customer's credit: a
valid signed authorization is returned as it is; otherwise one is created and
sent to the borrower, or the one already out for signing is returned.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..documents import finance_templates
from ..domain.contracts import ContractStatus
from ..errors import InvalidInputError
from ..extensions import db
from ..models import ApiApp, Contract, utcnow
from ..runtime import runtime
from .audit import Actor
from .contracts import ContractRequest, create_contract, request_fingerprint
from .identities import id_number_digest

__all__ = ["credit_authorization"]

CATEGORY = "credit_authorization"


def _borrower(body: Any) -> dict:
    borrower = body.get("borrower") if isinstance(body, dict) else None
    if not isinstance(borrower, dict):
        raise InvalidInputError(
            "Give the borrower's name, idNumber and mobile.",
            code="invalid_request",
            details={"borrower": "is required"},
        )
    return {
        "name": borrower.get("name"),
        "id_number": borrower.get("idNumber"),
        "mobile": borrower.get("mobile"),
    }


def _existing(api_app: ApiApp, digest: str) -> Contract | None:
    """A still-valid complete authorization, else one out for signing."""
    valid_days = runtime().config["CREDIT_AUTHORIZATION_VALID_DAYS"]
    query = select(Contract).where(
        Contract.category == CATEGORY,
        Contract.borrower_id_hash == digest,
        Contract.tenant == api_app.tenant,
    )
    complete = db.session.scalar(
        query.where(
            Contract.status == ContractStatus.COMPLETE,
            Contract.completed_at >= utcnow() - timedelta(days=valid_days),
        ).order_by(Contract.completed_at.desc())
    )
    return complete or db.session.scalar(
        query.where(Contract.status == ContractStatus.SIGNING)
    )


def credit_authorization(
    api_app: ApiApp, body: Any, actor: Actor
) -> tuple[Contract, bool]:
    """The borrower's valid authorization, or a new one sent for signing.

    :return: the contract and whether this call created it.
    """
    borrower = _borrower(body)
    template = finance_templates.get_template(CATEGORY)
    parameters = finance_templates.validate_params(
        template,
        {
            "borrower": borrower,
            "lender": runtime().config["FINANCE_COMPANY"],
            "signing_date": utcnow().date().isoformat(),
        },
    )
    digest = id_number_digest(borrower["id_number"])
    existing = _existing(api_app, digest)
    if existing is not None:
        return existing, False
    biz_id = body.get("bizId")
    if not isinstance(biz_id, str) or not biz_id:
        biz_id = f"credit-{digest[:20]}-{utcnow():%Y%m%d%H%M%S}"
    request = ContractRequest(
        biz_id=biz_id,
        subject=f"{template.title}（{borrower['name']}）",
        category=CATEGORY,
        template=template.name,
        parameters=parameters,
        parties=finance_templates.parties(template, parameters),
        business_data=body.get("businessData"),
        expires_at=None,
        send=True,
        fingerprint=request_fingerprint({"bizId": biz_id, "borrower": borrower}, None),
    )
    return create_contract(api_app, request, actor)
