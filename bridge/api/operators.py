"""``/api/v1/operators``: head office registers dealer operators and their seals."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..auth.requests import current_api_app, require_app, require_head_office
from ..errors import InvalidInputError
from ..services import operators

__all__ = ["bp"]

bp = Blueprint("api_operators", __name__, url_prefix="/api/v1")


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInputError(
            "The body must be a JSON object.", code="malformed_json"
        )
    return body


def _operator_json(operator) -> dict:
    return {
        "id": operator.id,
        "mobile": operator.mobile,
        "name": operator.name,
        "company": operator.company,
        "creditCode": operator.credit_code,
        "seals": [seal.name for seal in operators.authorized_seals(operator)],
    }


@bp.post("/operators")
@require_app
def add_operator():
    require_head_office()
    body = _body()
    operator = operators.add_operator(
        str(body.get("mobile") or ""),
        str(body.get("name") or ""),
        str(body.get("company") or ""),
        str(body.get("creditCode") or "") or None,
    )
    return jsonify(_operator_json(operator)), 201


@bp.post("/operators/<mobile>/seals")
@require_app
def authorize(mobile: str):
    require_head_office()
    grant = operators.authorize_seal(
        str(_body().get("seal") or ""),
        mobile,
        f"app:{current_api_app().app_key}",
    )
    return jsonify(_operator_json(grant.operator))
