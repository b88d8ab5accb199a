"""REST API ``/api/v1``: signature verification and DOCX → PDF conversion."""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import Blueprint, jsonify, request, send_file
from werkzeug.datastructures import FileStorage

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
    return jsonify(verification.verify(_upload("PDF").read()).to_dict())


@bp.post("/convert")
def convert():
    upload = _upload(".docx")
    pdf = conversion.convert_docx(upload.read())
    stem = PurePath(upload.filename or "document").stem or "document"
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{stem}.pdf"
    )
