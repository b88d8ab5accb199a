"""REST API ``/api/v1``: signature verification and DOCX → PDF conversion.

Verification is open to anyone within a per-address budget; conversion runs
LibreOffice on the upload, so only signed requests of an app get it.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import Blueprint, jsonify, request, send_file
from werkzeug.datastructures import FileStorage

from ..auth.requests import require_app
from ..errors import InvalidInputError
from ..services import conversion, verification

__all__ = ["bp"]

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


def _upload(what: str) -> FileStorage:
    """The multipart field ``file``, or a 400 naming what was expected."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInputError(
            f"Upload the {what} as the multipart field 'file'.", code="file_missing"
        )
    return upload


@bp.post("/verify")
def verify():
    report = verification.verify_for_anyone(_upload("PDF").read(), request.remote_addr)
    return jsonify(report.to_dict())


@bp.post("/convert")
@require_app
def convert():
    upload = _upload(".docx")
    pdf = conversion.convert_docx(upload.read())
    stem = PurePath(upload.filename or "document").stem or "document"
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{stem}.pdf"
    )
