"""``POST /api/v1/convert``: a .docx in, its PDF out."""

from __future__ import annotations

import io
from pathlib import PurePath

from flask import Blueprint, request, send_file

from ..errors import InvalidInputError
from ..services import conversion

__all__ = ["bp"]

bp = Blueprint("api_documents", __name__, url_prefix="/api/v1")


@bp.post("/convert")
def convert():
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInputError(
            "Upload the .docx as the multipart field 'file'.", code="file_missing"
        )
    pdf = conversion.convert_docx(upload.read())
    stem = PurePath(upload.filename or "document").stem or "document"
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", download_name=f"{stem}.pdf"
    )
