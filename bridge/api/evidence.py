"""``/api/v1`` evidence of a contract: the sealed report and the offline package.

Signed by an app like every contract view; another tenant's contract is not
found.
"""

from __future__ import annotations

import io

from flask import Blueprint, send_file

from ..auth.requests import current_api_app, require_app
from ..services import evidence
from ..services.evidence_package import build_package

__all__ = ["bp"]

bp = Blueprint("api_evidence", __name__, url_prefix="/api/v1")


@bp.get("/contracts/<contract_id>/evidence-report")
@require_app
def evidence_report(contract_id: str):
    contract, pdf = evidence.evidence_report(current_api_app(), contract_id)
    return send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"{contract.biz_id}-出证报告.pdf",
    )


@bp.get("/contracts/<contract_id>/evidence-package")
@require_app
def evidence_package(contract_id: str):
    facts = evidence.evidence_of(current_api_app(), contract_id)
    return send_file(
        io.BytesIO(build_package(facts)),
        mimetype="application/zip",
        download_name=f"{facts.contract.biz_id}-evidence.zip",
    )
