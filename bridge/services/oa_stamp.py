"""The Stamp button: seal an OA request's documents and push them back.

Who may stamp: the OA user named by a valid ticket, for the pending seal task
of that request and node, with a seal of the task's kind that the user's
kinds (``OA.stampers``) allow and that ``OA.seals`` lists for the kind.
Where: at the keyword for contracts, or on the signature and date of an
official document (as the red-header issuance does).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import update

import red_header
from oa_plugin.client import OaError
from oa_plugin.pushback import Document, Pushback
from oa_plugin.ticket import Ticket, TicketError, read_ticket
from red_header.seal_position import seal_spots

from ..errors import (
    AuthenticationError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from ..extensions import db
from ..models import SealTask, utcnow
from ..runtime import runtime
from ..signing.pdf_input import check_pdf_bytes
from ..signing.placement import KeywordPlacement, PagePlacement, Placement
from ..signing.sealer import SealOptions, SignatureLevel
from .oa_pushback import client, enqueue_documents
from .oa_requests import OaUnavailableError
from .oa_settings import oa_settings, require
from .sealing import seal_pdf

__all__ = ["StampView", "first_document", "open_stamp", "placements", "stamp"]


@dataclass(frozen=True)
class StampView:
    """What the stamp page shows: the task and the seals offered."""

    ticket: Ticket
    task: SealTask
    seals: list[str]


def _ticket(text: str) -> Ticket:
    try:
        return read_ticket(require("ticket_secret"), text)
    except TicketError as exc:
        raise AuthenticationError(str(exc), code="invalid_ticket") from exc


def open_stamp(ticket_text: str, seal: str | None = None) -> StampView:
    """Check the ticket and find the task; the seals this user may use.

    :param seal: when given, it must be one of them.
    """
    ticket = _ticket(ticket_text)
    task = db.session.scalar(
        db.select(SealTask).filter_by(request_id=ticket.request_id, node=ticket.node)
    )
    if task is None:
        raise NotFoundError(
            f"No seal task waits at {ticket.node} of OA request {ticket.request_id}.",
            code="unknown_task",
        )
    if task.state != "pending":
        raise ConflictError(
            f"The seal task is {task.state}.", code=f"task_{task.state}"
        )
    settings = oa_settings()
    kinds = settings["stampers"].get(str(ticket.user)) or []
    if task.seal_kind not in kinds:
        raise ForbiddenError(
            f"OA user {ticket.user} may not use {task.seal_kind} seals.",
            code="seal_not_allowed",
        )
    seals = list(settings["seals"].get(task.seal_kind) or [])
    if seal is not None and seal not in seals:
        raise ForbiddenError(
            f"The seal {seal!r} is not offered for this request.",
            code="seal_not_allowed",
        )
    return StampView(ticket, task, seals)


def placements(task: SealTask, pdf: bytes) -> list[Placement]:
    """Where the seal goes on ``pdf``: at the keyword, or signature and date."""
    if task.keyword:
        return [KeywordPlacement(task.keyword, "last")]
    if len(task.signatures) != 1:
        raise InvalidInputError(
            "A jointly issued document needs one seal per issuer; stamp it with "
            "`sealbridge red-header compose --seal` instead.",
            code="joint_issuance",
        )
    try:
        spots = seal_spots(pdf, task.signatures)
    except red_header.RedHeaderError as exc:
        raise InvalidInputError(str(exc), code="seal_position") from exc
    return [PagePlacement(spot.page, spot.x, spot.y) for spot in spots]


def _document(docid: str) -> tuple[str, bytes]:
    try:
        return client().doc_file(int(docid))
    except OaError as exc:
        raise OaUnavailableError(f"Cannot read OA document {docid}: {exc}") from exc


def first_document(task: SealTask) -> bytes:
    return _document(task.document_ids.split(",")[0])[1]


def _sealed_name(filename: str) -> str:
    return f"{PurePath(filename).stem}-盖章.pdf"


def _claim(task_id: str, state_from: str, state_to: str) -> bool:
    won = db.session.execute(
        update(SealTask)
        .where(SealTask.id == task_id, SealTask.state == state_from)
        .values(state=state_to)
    ).rowcount
    db.session.commit()
    return won == 1


def stamp(ticket_text: str, seal: str) -> SealTask:
    """Seal every document of the ticket's task; queue them for the OA."""
    view = open_stamp(ticket_text, seal)
    if not _claim(view.task.id, "pending", "sealing"):  # a second click
        raise ConflictError("The documents are being sealed.", code="task_busy")
    try:
        return _seal_and_queue(view, seal)
    except BaseException:
        db.session.rollback()
        _claim(view.task.id, "sealing", "pending")
        raise


def _seal_and_queue(view: StampView, seal: str) -> SealTask:
    task = view.task
    documents, pdfs = [], []
    for docid in task.document_ids.split(","):
        filename, pdf = _document(docid)
        check_pdf_bytes(pdf, runtime().config["MAX_UPLOAD_BYTES"])
        for placement in placements(task, pdf):
            options = SealOptions(
                placement=placement,
                level=SignatureLevel.B_T,
                reason=f"OA {task.request_id} {task.node}",
            )
            pdf = seal_pdf(pdf, seal, options).pdf
        documents.append(Document(_sealed_name(filename), filename, f"sealed:{docid}"))
        pdfs.append(pdf)
    job = Pushback(
        request_id=task.request_id,
        node=task.node,
        user=task.oa_user,  # the node's operator submits it on
        field=task.result_field,
        documents=tuple(documents),
        status_fields={task.status_field: "已盖章"} if task.status_field else {},
        remark=f"已加盖 {seal}",
    )
    task = db.session.get(SealTask, task.id)
    task.state, task.seal_name, task.sealed_at = "sealed", seal, utcnow()
    enqueue_documents(job, pdfs)
    db.session.commit()
    return task
