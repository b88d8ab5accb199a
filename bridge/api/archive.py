"""``GET /api/v1/archive``: search archived contracts (dealer: own store only)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..auth.requests import current_api_app, require_app
from ..errors import InvalidInputError
from ..models import ArchiveRecord
from ..request_dates import read_day
from ..services.archive import ArchiveQuery, search_archive

__all__ = ["bp"]

bp = Blueprint("api_archive", __name__, url_prefix="/api/v1")


def _bad(field: str, problem: str) -> InvalidInputError:
    return InvalidInputError(
        f"{field}: {problem}.", code="invalid_request", details={field: problem}
    )


def _number(key: str, default: int, highest: int) -> int:
    try:
        return min(highest, max(1, int(request.args.get(key, default))))
    except ValueError:
        raise _bad(key, "an integer") from None


def record_json(record: ArchiveRecord) -> dict:
    return {
        "contractId": record.contract_id,
        "contractNumber": record.contract_number,
        "subject": record.subject,
        "category": record.category,
        "status": record.status,
        "store": record.tenant,
        "borrowerName": record.borrower_name,
        "completedAt": record.completed_at.isoformat(),
        "archivedAt": record.archived_at.isoformat(),
        "retainUntil": record.retain_until.date().isoformat(),
        "documentSha256": record.document_sha256,
        "chainHead": record.chain_head,
    }


@bp.get("/archive")
@require_app
def search():
    args = request.args
    query = ArchiveQuery(
        store=args.get("store"),
        borrower=args.get("borrower"),
        id_number=args.get("idNumber"),
        contract_number=args.get("contractNumber"),
        category=args.get("category"),
        status=args.get("status"),
        completed_from=read_day(args, "from"),
        completed_to=read_day(args, "to"),
    )
    result = search_archive(
        current_api_app(),
        query,
        page=_number("page", 1, 10_000),
        page_size=_number("pageSize", 20, 100),
    )
    return jsonify(
        {
            "items": [record_json(r) for r in result.items],
            "total": result.total,
            "page": result.page,
            "pageSize": result.page_size,
        }
    )
