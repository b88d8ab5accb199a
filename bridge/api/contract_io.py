"""Reading contract requests and writing contract answers (camelCase JSON)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from ..documents import finance_templates
from ..domain.contracts import routing
from ..domain.validators import check_credit_code, check_id_number, check_mobile
from ..errors import InvalidInputError
from ..extensions import db
from ..models import Contract, ContractEvent
from ..services.contracts import ContractRequest, request_fingerprint

__all__ = ["contract_json", "parse_template_request", "parse_upload_request"]

_ACTIONS = {"PERSONAL_SIGN", "COMPANY_SEAL", "LEGAL_REP_SEAL", "OPERATOR_SIGN", "AUDIT"}


def _require_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise InvalidInputError(
            "The request body must be a JSON object.",
            code="invalid_request",
            details={"body": "must be an object"},
        )
    return body


def _text(
    body: dict, key: str, problems: dict, *, required=True, limit=256
) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        if required:
            problems[key] = "is required"
        return None
    if not isinstance(value, str) or len(value) > limit:
        problems[key] = f"must be text of at most {limit} characters"
        return None
    return value


def _common(body: dict, problems: dict) -> dict:
    expires = body.get("expiresAt")
    expires_at = None
    if expires is not None:
        try:
            expires_at = datetime.fromisoformat(str(expires))
        except ValueError:
            problems["expiresAt"] = "must be an ISO 8601 date-time"
        else:  # stored in UTC; a time without an offset is taken as UTC
            if expires_at.tzinfo is None:
                expires_at = expires_at.replace(tzinfo=UTC)
            expires_at = expires_at.astimezone(UTC)
    business = body.get("businessData")
    if business is not None and not isinstance(business, dict):
        problems["businessData"] = "must be an object"
    send = body.get("send", False)
    if not isinstance(send, bool):
        problems["send"] = "must be true or false"
    return {
        "biz_id": _text(body, "bizId", problems, limit=128),
        "expires_at": expires_at,
        "business_data": business,
        "send": send is True,
    }


def _raise(problems: dict) -> None:
    if problems:
        raise InvalidInputError(
            "The request is invalid: "
            + "; ".join(f"{k}: {v}" for k, v in problems.items()),
            code="invalid_request",
            details=problems,
        )


def parse_template_request(body: Any) -> ContractRequest:
    """``{"bizId", "template", "parameters", "subject"?, "businessData"?, "send"?}``."""
    body = _require_object(body)
    problems: dict[str, str] = {}
    common = _common(body, problems)
    name = _text(body, "template", problems, limit=64)
    _raise(problems)
    template = finance_templates.get_template(name)
    parameters = finance_templates.validate_params(template, body.get("parameters"))
    parties = finance_templates.parties(template, parameters)
    borrower = next((p["name"] for p in parties if p["kind"] == "PERSONAL"), "")
    subject = (
        _text(body, "subject", problems, required=False)
        or f"{template.title}（{borrower}）"
    )
    _raise(problems)
    return ContractRequest(
        subject=subject,
        category=template.category,
        template=template.name,
        parameters=parameters,
        parties=parties,
        fingerprint=request_fingerprint(body, None),
        **common,
    )


def _party(index: int, raw: Any, problems: dict) -> dict | None:
    where = f"signatories[{index}]"
    if not isinstance(raw, dict):
        problems[where] = "must be an object"
        return None
    kind = raw.get("kind")
    if kind not in ("PERSONAL", "COMPANY"):
        problems[f"{where}.kind"] = "must be PERSONAL or COMPANY"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems[f"{where}.name"] = "is required"
    party = {
        "role": str(raw.get("role") or kind or "party").lower(),
        "kind": kind,
        "name": name,
        "auto": raw.get("auto") is True,
    }
    if kind == "PERSONAL":
        for key, check, field in (
            ("idNumber", check_id_number, "id_number"),
            ("mobile", check_mobile, "mobile"),
        ):
            value = raw.get(key)
            problem = check(value) if isinstance(value, str) else "is required"
            if problem:
                problems[f"{where}.{key}"] = problem
            party[field] = value.upper() if isinstance(value, str) else None
    elif kind == "COMPANY":
        code = raw.get("creditCode")
        problem = check_credit_code(code) if isinstance(code, str) else "is required"
        if problem:
            problems[f"{where}.creditCode"] = problem
        party["credit_code"] = code
    order = raw.get("routingOrder")
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 99:
        problems[f"{where}.routingOrder"] = "must be an integer from 1 to 99"
    party["routing_order"] = order
    actions = raw.get("actions") or (
        ["PERSONAL_SIGN"] if kind == "PERSONAL" else ["COMPANY_SEAL"]
    )
    if not isinstance(actions, list) or not set(actions) <= _ACTIONS:
        problems[f"{where}.actions"] = "must be a list of " + ", ".join(
            sorted(_ACTIONS)
        )
    party["actions"] = actions
    keyword = raw.get("keyword")
    if isinstance(keyword, str) and keyword.strip():
        party["keyword"] = keyword
    elif all(isinstance(raw.get(k), int | float) for k in ("page", "x", "y")):
        party["keyword"] = None
        party["placement"] = {"page": int(raw["page"]), "x": raw["x"], "y": raw["y"]}
    else:
        problems[f"{where}.keyword"] = "give a keyword, or page, x and y"
    return party


def parse_upload_request(meta_text: str | None, pdf: bytes) -> ContractRequest:
    """Multipart ``meta`` (JSON: bizId, subject, category, signatories) + ``file``."""
    try:
        body = json.loads(meta_text) if meta_text else None
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"meta is not valid JSON: {exc.msg}.", code="malformed_json"
        ) from None
    body = _require_object(body)
    problems: dict[str, str] = {}
    common = _common(body, problems)
    subject = _text(body, "subject", problems)
    category = _text(body, "category", problems, limit=32)
    raw_parties = body.get("signatories")
    if not isinstance(raw_parties, list) or not raw_parties:
        problems["signatories"] = "needs at least one signatory"
        raw_parties = []
    parties = [_party(i, raw, problems) for i, raw in enumerate(raw_parties)]
    _raise(problems)
    return ContractRequest(
        subject=subject,
        category=category,
        template=None,
        parameters=None,
        parties=[p for p in parties if p is not None],
        pdf=pdf,
        fingerprint=request_fingerprint(body, pdf),
        **common,
    )


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _masked_mobile(mobile: str | None) -> str | None:
    return f"{mobile[:3]}****{mobile[-4:]}" if mobile else None


def contract_json(contract: Contract, *, with_timeline: bool = True) -> dict:
    """The contract as the finance system sees it: status, parties, who is next."""
    view = routing([(s.routing_order, s.status) for s in contract.signatories])
    body = {
        "id": contract.id,
        "bizId": contract.biz_id,
        "subject": contract.subject,
        "category": contract.category,
        "template": contract.template,
        "status": contract.status,
        "statusReason": contract.status_reason,
        "createdAt": _iso(contract.created_at),
        "sentAt": _iso(contract.sent_at),
        "completedAt": _iso(contract.completed_at),
        "expiresAt": _iso(contract.expires_at),
        "businessData": contract.business_data,
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "kind": d.kind,
                "revision": d.current.number,
                "sha256": d.current.sha256,
            }
            for d in contract.documents
        ],
        "signatories": [
            {
                "id": s.id,
                "role": s.role,
                "kind": s.kind,
                "name": s.name,
                "idNumber": s.id_number_masked,
                "mobile": _masked_mobile(s.mobile),
                "creditCode": s.credit_code,
                "routingOrder": s.routing_order,
                "actions": s.actions,
                "auto": s.auto,
                "status": s.status,
                "signedAt": _iso(s.signed_at),
            }
            for s in contract.signatories
        ],
        "next": [contract.signatories[i].id for i in view.current]
        if contract.status == "SIGNING"
        else [],
    }
    if with_timeline:
        events = db.session.scalars(
            select(ContractEvent)
            .where(ContractEvent.contract_id == contract.id)
            .order_by(ContractEvent.seq)
        )
        body["timeline"] = [
            {
                "seq": e.seq,
                "type": e.type,
                "at": _iso(e.created_at),
                "actor": e.actor,
                "documentSha256": e.document_sha256,
                **({"data": e.data} if e.data else {}),
            }
            for e in events
        ]
    return body
