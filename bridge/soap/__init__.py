"""``/soap/oa``: the SOAP service OA node actions call (WSDL at ``?wsdl``).

SOAP 1.1 document/literal wrapped, described by ``sealbridge-oa.wsdl`` next
to this file. Every request needs a WS-Security UsernameToken of a user in
the ``OA.users`` setting. Operations are thin: authenticate, call one
service, serialise; a bridge error becomes a SOAP fault with its stable code.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, request

from oa_plugin.soap import SoapFault, SoapService, Wsdl

from ..errors import BridgeError
from ..models import SealTask
from ..runtime import runtime
from ..services import oa_requests
from ..services.oa_settings import oa_settings
from .wsse import authenticate

__all__ = ["bp"]

bp = Blueprint("soap_oa", __name__)

WSDL_FILE = Path(__file__).parent / "sealbridge-oa.wsdl"


def _task(task: SealTask) -> dict:
    return {
        "task": {
            "taskId": task.id,
            "requestId": task.request_id,
            "nodeName": task.node,
            "oaUser": task.oa_user,
            "sealKind": task.seal_kind,
            "documentIds": task.document_ids,
            "state": task.state,
            "sealName": task.seal_name,
            "createdAt": task.created_at.isoformat(),
            "sealedAt": task.sealed_at.isoformat() if task.sealed_at else None,
        }
    }


def _authenticated(operation):
    """Check the UsernameToken, then run; bridge errors become faults."""

    def handler(params: dict, header) -> dict:
        settings = oa_settings()
        authenticate(header, settings["users"], settings["clock_skew_seconds"])
        try:
            return operation(params)
        except BridgeError as exc:
            side = "Client" if exc.status < 500 else "Server"
            raise SoapFault(exc.code, exc.message, side=side) from exc

    return handler


def _apply_red_header(params: dict) -> dict:
    fields = {f.get("name"): f.get("value") or [] for f in params.get("field") or []}
    number = oa_requests.apply_red_header(
        request_id=params.get("requestId") or 0,
        node=params.get("nodeName") or "",
        oa_user=params.get("oaUser") or 0,
        template=params.get("template") or "",
        body_doc_id=params.get("bodyDocId") or 0,
        fields=fields,
        result_field=params.get("resultField") or "",
        number_field=params.get("numberField"),
        status_field=params.get("statusField"),
    )
    return {"docNumber": number, "state": "queued"}


def _create_seal_task(params: dict) -> dict:
    task = oa_requests.create_seal_task(
        request_id=params.get("requestId") or 0,
        node=params.get("nodeName") or "",
        oa_user=params.get("oaUser") or 0,
        seal_kind=params.get("sealKind") or "",
        document_ids=params.get("documentIds") or "",
        keyword=params.get("keyword"),
        signatures=[s for s in params.get("signature") or [] if s],
        result_field=params.get("resultField") or "",
        status_field=params.get("statusField"),
    )
    return _task(task)


def _get_seal_task(params: dict) -> dict:
    return _task(oa_requests.get_seal_task(params.get("taskId")))


def _cancel_seal_task(params: dict) -> dict:
    return _task(
        oa_requests.cancel_seal_task(params.get("taskId"), params.get("reason"))
    )


def _service() -> SoapService:
    return runtime().cached(
        "soap_oa",
        lambda: SoapService(
            Wsdl.load(WSDL_FILE),
            {
                "applyRedHeader": _authenticated(_apply_red_header),
                "createSealTask": _authenticated(_create_seal_task),
                "getSealTask": _authenticated(_get_seal_task),
                "cancelSealTask": _authenticated(_cancel_seal_task),
            },
            max_bytes=oa_settings()["max_envelope_bytes"],
        ),
    )


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=utf-8")


@bp.get("/soap/oa")
def wsdl():
    return _xml(_service().wsdl_text(request.base_url))


@bp.post("/soap/oa")
def call():
    service = _service()
    limit = service.max_bytes
    if (request.content_length or 0) > limit:  # refused before reading it
        fault = SoapFault("too_large", f"The message exceeds {limit} bytes.")
        return _xml(service.refuse(fault)[1], 400)
    status, answer = service.handle(request.stream.read(limit + 1))
    return _xml(answer, status)
