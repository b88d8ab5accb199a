"""Public PKI endpoints: CA certificates, CRLs and the RFC 3161 timestamp service."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..errors import FileTooLargeError, UnsupportedMediaTypeError
from ..services import pki

__all__ = ["bp"]

bp = Blueprint("pki", __name__)

_MAX_TSA_REQUEST = 16 * 1024


@bp.get("/pki/ca/<name>.crt")
def ca_certificate(name: str) -> Response:
    return Response(pki.ca_certificate(name), mimetype="application/pkix-cert")


@bp.get("/pki/crl/<name>.crl")
def crl(name: str) -> Response:
    return Response(pki.current_crl(name), mimetype="application/pkix-crl")


@bp.post("/tsa")
def timestamp() -> Response:
    if request.mimetype != "application/timestamp-query":
        raise UnsupportedMediaTypeError(
            "Send an RFC 3161 request as application/timestamp-query."
        )
    if (request.content_length or 0) > _MAX_TSA_REQUEST:
        raise FileTooLargeError("The timestamp request is too large.")
    reply = pki.embedded_tsa().respond_der(request.get_data(cache=False))
    return Response(reply, mimetype="application/timestamp-reply")
