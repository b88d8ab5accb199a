"""``/api/v1`` for the finance system: templates, contracts, credit authorizations.

Every view here is signed by an app (see docs/api.md) and sees only its
tenant's contracts, unless the app is head office's.
"""

from __future__ import annotations

import io

from flask import Blueprint, jsonify, request, send_file

from ..auth.requests import current_api_app, require_app
from ..documents import finance_templates
from ..errors import InvalidInputError
from ..request_dates import read_day
from ..services import contracts, credit
from ..services.audit import Actor
from .contract_io import contract_json, parse_template_request, parse_upload_request
from .contract_views import contract_response

__all__ = ["bp"]

bp = Blueprint("api_contracts", __name__, url_prefix="/api/v1")


def _actor() -> Actor:
    return Actor(
        name=f"app:{current_api_app().app_key}",
        ip=request.remote_addr,
        user_agent=(request.user_agent.string or None),
    )


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidInputError(
            "The body must be JSON (application/json).", code="malformed_json"
        )
    return body


def _reason() -> str:
    body = request.get_json(silent=True) or {}
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError(
            "Give a reason.", code="invalid_request", details={"reason": "is required"}
        )
    return reason.strip()


@bp.get("/templates")
@require_app
def list_templates():
    return jsonify(
        {"templates": [t.describe() for t in finance_templates.list_templates()]}
    )


@bp.post("/contracts")
@require_app
def create_contract():
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInputError(
                "Upload the PDF as the multipart field 'file'.", code="file_missing"
            )
        pdf = upload.read()
        contracts.check_pdf_upload(pdf)
        parsed = parse_upload_request(request.form.get("meta"), pdf)
    else:
        parsed = parse_template_request(_json_body())
    contract, created = contracts.create_contract(current_api_app(), parsed, _actor())
    return jsonify(contract_json(contract)), 201 if created else 200


@bp.get("/contracts")
@require_app
def search():
    args = request.args

    try:
        page = min(10_000, max(1, int(args.get("page", 1))))  # offsets fit SQL
        page_size = min(100, max(1, int(args.get("pageSize", 20))))
    except ValueError:
        raise InvalidInputError(
            "page and pageSize are integers.", code="invalid_request"
        ) from None
    result = contracts.search_contracts(
        current_api_app(),
        status=args.get("status"),
        category=args.get("category"),
        borrower=args.get("borrower"),
        biz_id=args.get("bizId"),
        created_from=read_day(args, "from"),
        created_to=read_day(args, "to"),
        page=page,
        page_size=page_size,
    )
    return jsonify(
        {
            "items": [contract_json(c, with_timeline=False) for c in result.items],
            "total": result.total,
            "page": result.page,
            "pageSize": result.page_size,
        }
    )


@bp.get("/contracts/<contract_id>")
@require_app
def get_contract(contract_id: str):
    return contract_response(contract_id)


@bp.post("/contracts/<contract_id>/send")
@require_app
def send(contract_id: str):
    return jsonify(
        contract_json(contracts.send_contract(current_api_app(), contract_id, _actor()))
    )


@bp.post("/contracts/<contract_id>/recall")
@require_app
def recall(contract_id: str):
    return jsonify(
        contract_json(
            contracts.recall_contract(
                current_api_app(), contract_id, _actor(), _reason()
            )
        )
    )


@bp.post("/contracts/<contract_id>/invalidate")
@require_app
def invalidate(contract_id: str):
    return jsonify(
        contract_json(
            contracts.invalidate_contract(
                current_api_app(), contract_id, _actor(), _reason()
            )
        )
    )


@bp.post("/contracts/<contract_id>/remind")
@require_app
def remind(contract_id: str):
    turn = contracts.remind_contract(current_api_app(), contract_id, _actor())
    return jsonify({"reminded": [s.id for s in turn]})


@bp.get("/contracts/<contract_id>/document")
@require_app
def download(contract_id: str):
    contract, pdf = contracts.document_pdf(
        current_api_app(), contract_id, request.args.get("version", "current")
    )
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"{contract.biz_id}.pdf",
    )


@bp.post("/contracts/<contract_id>/signatories/<int:signatory_id>/sign")
@require_app
def sign(contract_id: str, signatory_id: int):
    """Internal until the signer pages exist: apply this signatory's signature."""
    body = request.get_json(silent=True) or {}
    seal = body.get("seal") if isinstance(body, dict) else None
    return jsonify(
        contract_json(
            contracts.sign_signatory(
                current_api_app(), contract_id, signatory_id, _actor(), seal
            )
        )
    )


@bp.post("/contracts/<contract_id>/signatories/<int:signatory_id>/reject")
@require_app
def reject(contract_id: str, signatory_id: int):
    return jsonify(
        contract_json(
            contracts.reject_signatory(
                current_api_app(), contract_id, signatory_id, _actor(), _reason()
            )
        )
    )


@bp.post("/credit-authorizations")
@require_app
def credit_authorization():
    contract, created = credit.credit_authorization(
        current_api_app(), _json_body(), _actor()
    )
    return jsonify(contract_json(contract)), 201 if created else 200
