"""What OA node actions ask of the bridge: red headers and seal tasks.

Both are repeatable per request and node (an OA may run a node action again):
a red header asked twice answers the same number and queues nothing new; a
seal task asked twice is the same task.
"""

from __future__ import annotations

from oa_plugin.client import OaError
from oa_plugin.pushback import Document, Pushback

from ..errors import BridgeError, ConflictError, InvalidInputError, NotFoundError
from ..extensions import db
from ..models import OaRedHeader, SealTask
from .oa_pushback import client, enqueue_documents
from .oa_settings import oa_settings
from .official_documents import issue_official_document

__all__ = [
    "OaUnavailableError",
    "apply_red_header",
    "cancel_seal_task",
    "create_seal_task",
    "get_seal_task",
]

LIST_KEYS = {"issuers", "recipients", "signature", "attachments", "cc", "signers"}


class OaUnavailableError(BridgeError):
    """The bridge could not read what it needs from the OA."""

    code = "oa_unavailable"
    status = 503


def _metadata(fields: dict[str, list[str]]) -> dict:
    """Form values (each a list) → red-header metadata; empty values left out."""
    data: dict = {"doc_number": None}
    for name, values in fields.items():
        values = [v for v in values if v and v.strip()]
        if values:
            data[name] = values if name in LIST_KEYS else values[0]
    return data


def apply_red_header(
    *,
    request_id: int,
    node: str,
    oa_user: int,
    template: str,
    body_doc_id: int,
    fields: dict[str, list[str]],
    result_field: str,
    number_field: str | None,
    status_field: str | None,
) -> str:
    """Number and compose the request's document; queue the PDF for the OA."""
    done = db.session.scalar(
        db.select(OaRedHeader).filter_by(request_id=request_id, node=node)
    )
    if done is not None:
        return done.doc_number
    if body_doc_id <= 0:
        raise InvalidInputError("bodyDocId names no OA document.", code="missing_body")
    try:
        _, body = client().doc_file(body_doc_id)
    except OaError as exc:
        raise OaUnavailableError(f"Cannot read the body from the OA: {exc}") from exc
    issued = issue_official_document(template, _metadata(fields), body_docx=body)
    status = {number_field: issued.number} if number_field else {}
    if status_field:
        status[status_field] = "已套红"
    job = Pushback(
        request_id=request_id,
        node=node,
        user=oa_user,
        field=result_field,
        documents=(Document(f"{issued.number}.pdf", issued.number, "red_header"),),
        status_fields=status,
        remark=f"套红 {issued.number}",
    )
    [digest] = enqueue_documents(job, [issued.pdf])
    db.session.add(
        OaRedHeader(
            request_id=request_id,
            node=node,
            doc_number=issued.number,
            pdf_sha256=digest,
        )
    )
    db.session.commit()
    return issued.number


def create_seal_task(
    *,
    request_id: int,
    node: str,
    oa_user: int,
    seal_kind: str,
    document_ids: str,
    keyword: str | None,
    signatures: list[str],
    result_field: str,
    status_field: str | None,
) -> SealTask:
    existing = db.session.scalar(
        db.select(SealTask).filter_by(request_id=request_id, node=node)
    )
    if existing is not None:
        return existing
    if seal_kind not in oa_settings()["seals"]:
        raise InvalidInputError(
            f"No seals are configured for the kind {seal_kind!r}.",
            code="unknown_seal_kind",
        )
    ids = [part.strip() for part in (document_ids or "").split(",") if part.strip()]
    if not ids or not all(part.isdigit() for part in ids):
        raise InvalidInputError(
            "documentIds must be comma-separated OA doc ids.", code="invalid_documents"
        )
    if not (keyword or "").strip() and not signatures:
        raise InvalidInputError(
            "Say where the seal goes: a keyword, or the document's signatures.",
            code="placement_missing",
        )
    task = SealTask(
        request_id=request_id,
        node=node,
        oa_user=oa_user,
        seal_kind=seal_kind,
        document_ids=",".join(ids),
        keyword=(keyword or "").strip() or None,
        signatures=list(signatures),
        result_field=result_field,
        status_field=status_field,
    )
    db.session.add(task)
    db.session.commit()
    return task


def get_seal_task(task_id: str) -> SealTask:
    task = db.session.get(SealTask, task_id or "")
    if task is None:
        raise NotFoundError(f"There is no seal task {task_id!r}.", code="unknown_task")
    return task


def cancel_seal_task(task_id: str, reason: str | None) -> SealTask:
    task = get_seal_task(task_id)
    if task.state == "sealed":
        raise ConflictError("The task is sealed already.", code="task_sealed")
    task.state = "cancelled"
    task.reason = (reason or "")[:256] or None
    db.session.commit()
    return task
