"""REST API ``/api/v1`` (this far: signature verification)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import InvalidInputError
from ..services import verification

__all__ = ["bp"]

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@bp.post("/verify")
def verify():
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInputError(
            "Upload the PDF as the multipart field 'file'.", code="file_missing"
        )
    return jsonify(verification.verify(upload.read()).to_dict())
