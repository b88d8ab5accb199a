"""The OpenAPI 3.1 document of ``/api/v1`` and its browsable UI at ``/api/docs``.

Written out by hand next to the views it describes; a test checks that every
route of the API appears here, so the two cannot drift apart silently.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_swagger_ui import get_swaggerui_blueprint

__all__ = ["bp", "docs_bp", "openapi_document"]

bp = Blueprint("api_openapi", __name__, url_prefix="/api/v1")

_SCHEMA = "#/components/schemas/"
_ERROR = {"$ref": "#/components/responses/Error"}
_SIGNED = [{"appKey": [], "timestamp": [], "nonce": [], "signature": []}]


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    *,
    body: dict | None = None,
    ok: dict | None = None,
    ok_status: str = "200",
    params: list | None = None,
    signed: bool = True,
    head_office: bool = False,
    pdf: bool = False,
    errors: tuple[str, ...] = ("400", "401", "404", "409"),
) -> dict:
    operation: dict = {"summary": summary, "parameters": params or [], "responses": {}}
    if signed:
        operation["security"] = _SIGNED
    if head_office:  # dealers' apps get 403 head_office_only
        operation["x-head-office"] = True
    if body is not None:
        operation["requestBody"] = {"required": True, **body}
    if pdf:
        operation["responses"][ok_status] = {
            "description": "The PDF",
            "content": {"application/pdf": {}},
        }
    else:
        operation["responses"][ok_status] = {"description": "OK", **_json(ok or {})}
    for status in errors:
        operation["responses"][status] = _ERROR
    return operation


def _polled(operation: dict) -> dict:
    """An operation answered with an ETag, and 304 when it still matches."""
    etag = {"ETag": {"schema": {"type": "string"}}}
    operation["responses"]["200"]["headers"] = etag
    operation["responses"]["304"] = {
        "description": "Not modified since the ETag sent in If-None-Match",
        "headers": etag,
    }
    return operation


def _zip(operation: dict) -> dict:
    """An operation answered with a zip file."""
    operation["responses"]["200"] = {
        "description": "The zip",
        "content": {"application/zip": {}},
    }
    return operation


_CONTRACT = {"$ref": "#/components/schemas/Contract"}
_ID = {
    "name": "contract_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
}
_SIGNATORY = {
    "name": "signatory_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
_REASON = _json(
    {
        "type": "object",
        "required": ["reason"],
        "properties": {"reason": {"type": "string"}},
    }
)


def openapi_document() -> dict:
    """The API as OpenAPI 3.1."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sealbridge API",
            "version": "1",
            "description": "Contracts, signatures and seals for the finance system. "
            "Every request is signed with HMAC-SHA256; see docs/api.md.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/templates": {
                "get": _op(
                    "Templates with their parameters (JSON Schema) and signatories",
                    ok={"type": "object"},
                    errors=("401",),
                )
            },
            "/api/v1/contracts": {
                "post": _op(
                    "Create a contract from a template or an uploaded PDF (idempotent "
                    "on bizId: the same body returns the same contract with 200)",
                    body={
                        "content": {
                            "application/json": {
                                "schema": {"$ref": _SCHEMA + "TemplateContractRequest"}
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["meta", "file"],
                                    "properties": {
                                        "meta": {
                                            "type": "string",
                                            "description": "UploadContractRequest",
                                        },
                                        "file": {"type": "string", "format": "binary"},
                                    },
                                }
                            },
                        }
                    },
                    ok=_CONTRACT,
                    ok_status="201",
                    errors=("400", "401", "404", "409", "413", "422"),
                ),
                "get": _op(
                    "Search contracts (newest first, paginated)",
                    params=[
                        {"name": n, "in": "query", "schema": {"type": t}}
                        for n, t in (
                            ("status", "string"),
                            ("category", "string"),
                            ("borrower", "string"),
                            ("bizId", "string"),
                            ("from", "string"),
                            ("to", "string"),
                            ("page", "integer"),
                            ("pageSize", "integer"),
                        )
                    ],
                    ok={
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": _CONTRACT},
                            "total": {"type": "integer"},
                        },
                    },
                    errors=("400", "401"),
                ),
            },
            "/api/v1/contracts/{contract_id}": {
                "get": _polled(
                    _op(
                        "A contract: status, parties, who is next, the audit timeline",
                        params=[
                            _ID,
                            {
                                "name": "If-None-Match",
                                "in": "header",
                                "schema": {"type": "string"},
                                "description": "The ETag of the last answer",
                            },
                        ],
                        ok=_CONTRACT,
                        errors=("401", "404"),
                    )
                )
            },
            "/api/v1/contracts/{contract_id}/send": {
                "post": _op(
                    "Send a draft for signing",
                    params=[_ID],
                    ok=_CONTRACT,
                    errors=("401", "404", "409", "422"),
                )
            },
            "/api/v1/contracts/{contract_id}/recall": {
                "post": _op(
                    "Recall (撤回) a contract that is not complete",
                    params=[_ID],
                    body=_REASON,
                    ok=_CONTRACT,
                )
            },
            "/api/v1/contracts/{contract_id}/invalidate": {
                "post": _op(
                    "Invalidate (作废) a complete contract with a sealed statement",
                    params=[_ID],
                    body=_REASON,
                    ok=_CONTRACT,
                )
            },
            "/api/v1/contracts/{contract_id}/remind": {
                "post": _op(
                    "Remind (催签) whoever's turn it is",
                    params=[_ID],
                    ok={"type": "object"},
                )
            },
            "/api/v1/contracts/{contract_id}/document": {
                "get": _op(
                    "The current or final PDF",
                    pdf=True,
                    params=[
                        _ID,
                        {
                            "name": "version",
                            "in": "query",
                            "schema": {"enum": ["current", "final"]},
                        },
                    ],
                )
            },
            "/api/v1/contracts/{contract_id}/evidence-report": {
                "get": _op(
                    "The evidence report (出证报告): facts, document hashes, every "
                    "event, signature validation, chain head; sealed at PAdES B-LTA",
                    pdf=True,
                    params=[_ID],
                    errors=("401", "404", "422", "503"),
                )
            },
            "/api/v1/contracts/{contract_id}/evidence-package": {
                "get": _zip(
                    _op(
                        "The evidence package (zip): every PDF revision, the "
                        "report, the events with their hash chain, certificates "
                        "and CRLs; check it offline with sealbridge verify-package",
                        params=[_ID],
                        errors=("401", "404", "422", "503"),
                    )
                )
            },
            "/api/v1/contracts/{contract_id}/signatories/{signatory_id}/sign": {
                "post": _op(
                    "Sign for a signatory in its turn (internal until the "
                    "signer pages)",
                    params=[_ID, _SIGNATORY],
                    ok=_CONTRACT,
                )
            },
            "/api/v1/contracts/{contract_id}/signatories/{signatory_id}/reject": {
                "post": _op(
                    "A signatory rejects the contract",
                    params=[_ID, _SIGNATORY],
                    body=_REASON,
                    ok=_CONTRACT,
                )
            },
            "/api/v1/credit-authorizations": {
                "post": _op(
                    "The borrower's valid credit authorization, or a new one to sign",
                    body=_json(
                        {"$ref": "#/components/schemas/CreditAuthorizationRequest"}
                    ),
                    ok=_CONTRACT,
                    ok_status="201",
                    errors=("400", "401", "422"),
                )
            },
            "/api/v1/archive": {
                "get": _op(
                    "Search archived (completed) contracts, newest first; a dealer "
                    "sees its own store only. idNumber matches a keyed hash",
                    params=[
                        {"name": n, "in": "query", "schema": {"type": t}}
                        for n, t in (
                            ("store", "string"),
                            ("borrower", "string"),
                            ("idNumber", "string"),
                            ("contractNumber", "string"),
                            ("category", "string"),
                            ("status", "string"),
                            ("from", "string"),
                            ("to", "string"),
                            ("page", "integer"),
                            ("pageSize", "integer"),
                        )
                    ],
                    ok={
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": {"type": "object"}},
                            "total": {"type": "integer"},
                        },
                    },
                    errors=("400", "401"),
                )
            },
            "/api/v1/ping": {
                "get": _op(
                    "Check credentials: the calling app and its tenant",
                    ok={"type": "object"},
                    errors=("401",),
                )
            },
            "/api/v1/oa/stamp": {
                "post": _op(
                    "OA Stamp button: seal the ticket's OA documents, push them back",
                    body=_json(
                        {
                            "type": "object",
                            "required": ["ticket", "seal"],
                            "properties": {
                                "ticket": {"type": "string"},
                                "seal": {"type": "string"},
                            },
                        }
                    ),
                    ok={"type": "object"},
                    signed=False,
                    errors=("400", "401", "403", "404", "409", "503"),
                )
            },
            "/api/v1/operators": {
                "post": _op(
                    "Register a dealer-store operator (head office)",
                    body=_json(
                        {
                            "type": "object",
                            "required": ["mobile", "name", "company"],
                            "properties": {
                                k: {"type": "string"}
                                for k in ("mobile", "name", "company", "creditCode")
                            },
                        }
                    ),
                    ok={"$ref": _SCHEMA + "Operator"},
                    ok_status="201",
                    errors=("400", "401", "403", "409"),
                    head_office=True,
                )
            },
            "/api/v1/operators/{mobile}/seals": {
                "post": _op(
                    "Let an operator use a seal of their company (head office)",
                    params=[
                        {
                            "name": "mobile",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    body=_json(
                        {
                            "type": "object",
                            "required": ["seal"],
                            "properties": {"seal": {"type": "string"}},
                        }
                    ),
                    ok={"$ref": _SCHEMA + "Operator"},
                    errors=("400", "401", "403", "404", "409"),
                    head_office=True,
                )
            },
            "/api/v1/outbox": {
                "get": _op(
                    "Callback deliveries (head office): filter by status, paginated",
                    params=[
                        {"name": n, "in": "query", "schema": {"type": t}}
                        for n, t in (("status", "string"), ("page", "integer"))
                    ],
                    ok={"type": "object"},
                    errors=("400", "401", "403"),
                    head_office=True,
                )
            },
            "/api/v1/jobs": {
                "get": _op(
                    "Scheduled jobs (head office): next run, last run and outcome",
                    ok={"type": "object"},
                    errors=("401", "403"),
                    head_office=True,
                )
            },
            "/api/v1/outbox/{message_id}/retry": {
                "post": _op(
                    "Send a dead callback again (head office)",
                    params=[
                        {
                            "name": "message_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    ok={"type": "object"},
                    errors=("401", "403", "404", "409"),
                    head_office=True,
                )
            },
            "/api/v1/verify": {
                "post": _op(
                    "Verify the signatures of a PDF",
                    signed=False,
                    body={
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"}
                                    },
                                }
                            }
                        }
                    },
                    ok={"type": "object"},
                    errors=("400", "413", "422", "429"),
                )
            },
            "/api/v1/convert": {
                "post": _op(
                    "Convert a .docx to PDF",
                    pdf=True,
                    body={
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"}
                                    },
                                }
                            }
                        }
                    },
                    errors=("400", "401", "413", "422", "503"),
                )
            },
        },
        "components": {
            "securitySchemes": {
                "appKey": {"type": "apiKey", "in": "header", "name": "X-SB-App-Key"},
                "timestamp": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-SB-Timestamp",
                },
                "nonce": {"type": "apiKey", "in": "header", "name": "X-SB-Nonce"},
                "signature": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-SB-Signature",
                },
            },
            "responses": {
                "Error": {
                    "description": "An error with a stable code",
                    **_json({"$ref": "#/components/schemas/Error"}),
                }
            },
            "schemas": _SCHEMAS,
        },
    }


_SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "TemplateContractRequest": {
        "type": "object",
        "required": ["bizId", "template", "parameters"],
        "properties": {
            "bizId": {"type": "string", "maxLength": 128},
            "template": {"type": "string"},
            "parameters": {
                "type": "object",
                "description": "As the template's JSON Schema says",
            },
            "subject": {"type": "string"},
            "businessData": {"type": "object"},
            "expiresAt": {"type": "string", "format": "date-time"},
            "send": {"type": "boolean", "default": False},
        },
    },
    "UploadContractRequest": {
        "type": "object",
        "required": ["bizId", "subject", "category", "signatories"],
        "properties": {
            "bizId": {"type": "string"},
            "subject": {"type": "string"},
            "category": {"type": "string"},
            "businessData": {"type": "object"},
            "send": {"type": "boolean"},
            "signatories": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "name", "routingOrder"],
                    "properties": {
                        "kind": {"enum": ["PERSONAL", "COMPANY"]},
                        "role": {"type": "string"},
                        "name": {"type": "string"},
                        "idNumber": {"type": "string"},
                        "mobile": {"type": "string"},
                        "creditCode": {"type": "string"},
                        "routingOrder": {"type": "integer", "minimum": 1},
                        "actions": {"type": "array", "items": {"type": "string"}},
                        "auto": {"type": "boolean"},
                        "keyword": {"type": "string"},
                        "page": {"type": "integer"},
                        "x": {"type": "number"},
                        "y": {"type": "number"},
                    },
                },
            },
        },
    },
    "CreditAuthorizationRequest": {
        "type": "object",
        "required": ["borrower"],
        "properties": {
            "borrower": {"type": "object", "required": ["name", "idNumber", "mobile"]},
            "bizId": {"type": "string"},
        },
    },
    "Signatory": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "role": {"type": "string"},
            "kind": {"type": "string"},
            "name": {"type": "string"},
            "idNumber": {"type": ["string", "null"], "description": "masked"},
            "routingOrder": {"type": "integer"},
            "status": {"type": "string"},
            "signedAt": {"type": ["string", "null"]},
        },
    },
    "Operator": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "mobile": {"type": "string"},
            "name": {"type": "string"},
            "company": {"type": "string"},
            "creditCode": {"type": ["string", "null"]},
            "seals": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Contract": {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "bizId": {"type": "string"},
            "subject": {"type": "string"},
            "category": {"type": "string"},
            "status": {
                "enum": [
                    "DRAFT",
                    "SIGNING",
                    "COMPLETE",
                    "REJECTED",
                    "RECALLED",
                    "EXPIRED",
                    "INVALIDATED",
                ]
            },
            "signatories": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/Signatory"},
            },
            "next": {"type": "array", "items": {"type": "integer"}},
            "timeline": {"type": "array", "items": {"type": "object"}},
            "businessData": {"type": ["object", "null"]},
        },
    },
}


@bp.get("/openapi.json")
def document():
    return jsonify(openapi_document())


def docs_bp():
    """The Swagger UI, served from the package's own files (no CDN)."""
    return get_swaggerui_blueprint(
        "/api/docs", "/api/v1/openapi.json", config={"app_name": "Sealbridge API"}
    )
