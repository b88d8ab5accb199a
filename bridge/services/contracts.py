"""Contracts for the finance system: create, send, sign in order, finish, undo.

Every use case runs in one transaction: the state change, its audit event and
its callbacks (outbox rows) commit together or not at all. Stored PDFs are
content-addressed, so a failed transaction leaves at most an unreferenced file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ..documents import finance_templates
from ..domain.contracts import (
    ContractStatus,
    SignatoryStatus,
    check_transition,
    routing,
)
from ..domain.validators import mask_id_number
from ..errors import (
    ConflictError,
    InvalidInputError,
    InvalidPdfError,
    NotFoundError,
    PlacementError,
)
from ..extensions import db
from ..models import (
    ApiApp,
    Certificate,
    Contract,
    ContractDocument,
    DocumentRevision,
    Seal,
    Signatory,
    utcnow,
)
from ..outbox import enqueue
from ..runtime import runtime
from ..signing.appearance import SealArtwork
from ..signing.archival import add_archive_timestamp
from ..signing.handwriting import SIGNATURE_INK, typeset_signature
from ..signing.pdf_input import open_for_reading, pdf_errors
from ..signing.placement import KeywordPlacement, PagePlacement, PdfText, Placement
from ..signing.sealer import SEAL_RED, SealOptions, SignatureLevel, page_boxes
from . import archive, pki
from .audit import Actor, record_event
from .conversion import convert_docx
from .identities import id_number_digest, seal_id_number
from .invalidation import INVALIDATION_KEYWORD, invalidation_docx
from .sealing import seal_pdf, sign_as
from .signing_links import notify_turn, revoke_links
from .storage import storage

__all__ = [
    "ContractRequest",
    "PersonalSignature",
    "create_contract",
    "current_turn",
    "document_pdf",
    "expire_due",
    "find_contract",
    "invalidate_contract",
    "recall_contract",
    "request_fingerprint",
    "reject_in_turn",
    "reject_signatory",
    "remind_contract",
    "search_contracts",
    "send_contract",
    "sign_in_turn",
    "signatory_placement",
    "sign_signatory",
]

_SEAL_OFFSET_PT = (110.0, 0.0)
"""A seal or signature stands right of its keyword (``借款人（签字）：``)."""


@dataclass(frozen=True)
class ContractRequest:
    """A validated creation request, from a template or an uploaded PDF."""

    biz_id: str
    subject: str
    category: str
    template: str | None
    parameters: dict | None
    parties: list[dict]
    business_data: dict | None
    expires_at: datetime | None
    send: bool
    pdf: bytes | None = None
    fingerprint: str = ""
    """SHA-256 of the canonical request: equal requests, equal fingerprints."""


def request_fingerprint(body: dict, pdf: bytes | None) -> str:
    canonical = json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode())
    if pdf is not None:
        digest.update(hashlib.sha256(pdf).digest())
    return digest.hexdigest()


def _visible(query, api_app: ApiApp):
    return (
        query if api_app.head_office else query.where(Contract.tenant == api_app.tenant)
    )


def find_contract(api_app: ApiApp, contract_id: str) -> Contract:
    """The contract, if the app may see it; another tenant's is simply not found."""
    # One query for the contract with its documents, revisions and signatories.
    contract = (
        db.session.execute(
            _visible(
                select(Contract).where(Contract.id == contract_id), api_app
            ).options(
                joinedload(Contract.documents).joinedload(ContractDocument.revisions),
                joinedload(Contract.signatories),
            )
        )
        .unique()
        .scalar_one_or_none()
    )
    if contract is None:
        raise _not_found(contract_id)
    return contract


# Built once: status polls run one of these for every request.
_VERSION = select(Contract.last_event_seq).where(Contract.id == bindparam("id"))
_VERSION_IN_TENANT = _VERSION.where(Contract.tenant == bindparam("tenant"))


def contract_version(api_app: ApiApp, contract_id: str) -> int:
    """The number of the contract's last event: it changes with every change."""
    if api_app.head_office:
        seq = db.session.scalar(_VERSION, {"id": contract_id})
    else:
        seq = db.session.scalar(
            _VERSION_IN_TENANT, {"id": contract_id, "tenant": api_app.tenant}
        )
    if seq is None:
        raise _not_found(contract_id)
    return seq


def _not_found(contract_id: str) -> NotFoundError:
    return NotFoundError(
        f"There is no contract {contract_id}.", code="unknown_contract"
    )


WHOLE_EVERY = 8
"""Every 8th revision is stored whole, so reading one takes at most 8 object reads
(decades of archive-timestamp renewals add revisions)."""


def _store_revision(document: ContractDocument, pdf: bytes, reason: str) -> str:
    """Store ``pdf`` as the document's next revision: only the bytes it appends
    to the current one, when it is an incremental update of it."""
    number = len(document.revisions)
    current = document.revisions[-1] if number % WHOLE_EVERY else None
    extends = (current.sha256, current.size) if current is not None else None
    digest = storage().put(pdf, extends=extends)
    db.session.add(
        DocumentRevision(
            document=document,
            number=number,
            sha256=digest,
            size=len(pdf),
            reason=reason[:128],
        )
    )
    return digest


def _signatory(position: int, party: dict) -> Signatory:
    id_number = party.get("id_number")
    placement = party.get("placement") or {"keyword": party["keyword"]}
    return Signatory(
        position=position,
        role=party["role"],
        kind=party["kind"],
        name=party["name"],
        id_number_encrypted=seal_id_number(id_number) if id_number else None,
        id_number_hash=id_number_digest(id_number) if id_number else None,
        id_number_masked=mask_id_number(id_number) if id_number else None,
        mobile=party.get("mobile"),
        credit_code=party.get("credit_code"),
        routing_order=party["routing_order"],
        actions=list(party["actions"]),
        auto=bool(party.get("auto")),
        placement=placement,
    )


def create_contract(
    api_app: ApiApp, request: ContractRequest, actor: Actor
) -> tuple[Contract, bool]:
    """Create (and optionally send) a contract; idempotent on ``biz_id``.

    :return: the contract and whether it was created by this call.
    """
    existing = db.session.scalar(
        select(Contract).where(
            Contract.app_id == api_app.id, Contract.biz_id == request.biz_id
        )
    )
    if existing is not None:
        if existing.request_hash != request.fingerprint:
            raise ConflictError(
                f"bizId {request.biz_id} was used for a different request.",
                code="biz_id_conflict",
            )
        return existing, False
    if request.pdf is None:
        template = finance_templates.get_template(request.template)
        pdf = convert_docx(finance_templates.render(template, request.parameters))
        reason = f"rendered from template {template.name}"
    else:
        pdf = request.pdf
        reason = "uploaded"
    borrower = next((p for p in request.parties if p["kind"] == "PERSONAL"), None)
    contract = Contract(
        app_id=api_app.id,
        tenant=api_app.tenant,
        biz_id=request.biz_id,
        request_hash=request.fingerprint,
        subject=request.subject,
        category=request.category,
        template=request.template,
        parameters=request.parameters,
        business_data=request.business_data,
        expires_at=request.expires_at,
        borrower_name=borrower["name"] if borrower else None,
        borrower_id_hash=(
            id_number_digest(borrower["id_number"])
            if borrower and borrower.get("id_number")
            else None
        ),
        signatories=[_signatory(i, p) for i, p in enumerate(request.parties)],
    )
    db.session.add(contract)
    document = ContractDocument(contract=contract, title=request.subject)
    db.session.add(document)
    db.session.flush()
    digest = _store_revision(document, pdf, reason)
    record_event(
        contract,
        "created",
        actor,
        document_sha256=digest,
        data={"bizId": request.biz_id, "category": request.category},
    )
    if request.send:
        _send(contract, actor)
    db.session.commit()
    return contract, True


def _current_pdf(contract: Contract) -> tuple[ContractDocument, bytes]:
    document = next(d for d in contract.documents if d.kind == "contract")
    return document, storage().get(document.current.sha256)


def _check_placements(contract: Contract, pdf: bytes) -> None:
    """Every keyword a signatory needs must be in the document before sending.

    Searched as the seals will be placed (PDFium), so what passes here is found
    again at signing time.
    """
    keywords = {
        s.placement["keyword"] for s in contract.signatories if "keyword" in s.placement
    }
    if not keywords:
        return
    with PdfText(pdf) as text:
        missing = sorted(k for k in keywords if not text.contains(k))
    if missing:
        raise InvalidInputError(
            "The document lacks the signature keywords: " + "、".join(missing) + ".",
            code="keyword_not_found",
            details={"keywords": "、".join(missing)},
        )


def _emit(contract: Contract, event_type: str, data: dict) -> None:
    """A callback to the app that owns the contract, whoever caused the event."""
    enqueue(
        db.session.get(ApiApp, contract.app_id),
        event_type,
        {
            "contractId": contract.id,
            "bizId": contract.biz_id,
            "status": contract.status,
            "businessData": contract.business_data,
            **data,
        },
        subject_id=contract.id,
    )


def _send(contract: Contract, actor: Actor) -> None:
    check_transition(contract.status, ContractStatus.SIGNING)
    if not contract.signatories:
        raise InvalidInputError(
            "A contract needs at least one signatory.", code="no_signatories"
        )
    _check_placements(contract, _current_pdf(contract)[1])
    contract.status = ContractStatus.SIGNING
    contract.sent_at = utcnow()
    record_event(contract, "sent", actor)
    _emit(contract, "contract.sent", {})
    _advance(contract, actor)


def send_contract(api_app: ApiApp, contract_id: str, actor: Actor) -> Contract:
    contract = find_contract(api_app, contract_id)
    _send(contract, actor)
    db.session.commit()
    return contract


def current_turn(contract: Contract) -> list[Signatory]:
    """The signatories who may sign now (all of the lowest pending order)."""
    view = routing([(s.routing_order, s.status) for s in contract.signatories])
    return [contract.signatories[i] for i in view.current]


def _auto_seal_name(contract: Contract) -> str:
    config = runtime().config
    return config["AUTO_SEALS"].get(contract.category, config["AUTO_SEAL"])


# The date under a signature is the day as the parties read it (UTC+8).
CHINA_TIME = timezone(timedelta(hours=8), "CST")
# The label the templates print under each signature line for its date.
DATE_LABEL = "日期："


def signatory_placement(spec: dict) -> Placement:
    if "keyword" in spec:
        return KeywordPlacement(spec["keyword"], "last", _SEAL_OFFSET_PT)
    return PagePlacement(spec["page"], spec["x"], spec["y"])


@dataclass(frozen=True)
class PersonalSignature:
    """What a person signs with: their event certificate and their handwriting."""

    certificate: Certificate
    artwork: SealArtwork


def _apply(
    contract: Contract,
    signatory: Signatory,
    seal_ref: str | None,
    person: PersonalSignature | None = None,
) -> str:
    """Sign the current revision for ``signatory``; return the new revision's hash."""
    document, pdf = _current_pdf(contract)
    options = SealOptions(
        placement=signatory_placement(signatory.placement),
        level=SignatureLevel.B_T,
        reason=f"{signatory.role} {signatory.name}",
        date=datetime.now(CHINA_TIME).date(),
        date_ink=SIGNATURE_INK if signatory.kind == "PERSONAL" else SEAL_RED,
        date_label=DATE_LABEL,
    )
    if person is not None:
        signed = sign_as(pdf, person.certificate, person.artwork, options)
    elif signatory.kind == "PERSONAL":
        digest = (
            signatory.id_number_hash
            or hashlib.sha256(signatory.name.encode()).hexdigest()
        )
        certificate = pki.issue_event_certificate(signatory.name, digest)
        signed = sign_as(pdf, certificate, typeset_signature(signatory.name), options)
    else:
        signed = seal_pdf(pdf, seal_ref, options)
    return _store_revision(document, signed.pdf, f"signed by {signatory.role}")


def _finish(contract: Contract, actor: Actor) -> None:
    check_transition(contract.status, ContractStatus.COMPLETE)
    contract.status = ContractStatus.COMPLETE
    contract.completed_at = contract.ended_at = utcnow()
    document, pdf = _current_pdf(contract)
    digest = _archive_timestamp(contract, document, pdf)
    record_event(contract, "completed", actor, document_sha256=digest)
    archive.archive_contract(contract, digest)
    _emit(
        contract,
        "contract.completed",
        {
            "documentSha256": digest,
            "downloadUrl": f"{runtime().config['PUBLIC_URL'].rstrip('/')}"
            f"/api/v1/contracts/{contract.id}/document?version=final",
        },
    )


def _stamp(pdf: bytes) -> tuple[bytes, datetime]:
    """PAdES B-LTA: validation data, then a document timestamp; and its expiry."""
    stamped = add_archive_timestamp(pdf, pki.long_term_material(), pki.timestamper())
    return stamped.pdf, stamped.expires_at


def _archive_timestamp(
    contract: Contract, document: ContractDocument, pdf: bytes
) -> str:
    stamped, contract.archive_expires_at = _stamp(pdf)
    return _store_revision(document, stamped, "archive timestamp")


def refresh_archive_timestamps(now: datetime | None = None, limit: int = 50) -> str:
    """Timestamp completed contracts again before the certificate of their last
    timestamp expires (``ARCHIVE_TIMESTAMP_RENEW_DAYS`` ahead), renewing the
    embedded TSA's own certificate first when it is that close to expiry.
    Each contract in its own transaction; a summary for the job's record."""
    now = now or utcnow()
    soon = now + timedelta(days=runtime().config["ARCHIVE_TIMESTAMP_RENEW_DAYS"])
    tsa_expiry = pki.embedded_tsa_expiry()
    if tsa_expiry is not None and tsa_expiry < soon:
        pki.renew_embedded_tsa()
    due = db.session.scalars(
        select(Contract.id)
        .where(
            Contract.status.in_((ContractStatus.COMPLETE, ContractStatus.INVALIDATED)),
            Contract.archive_expires_at < soon,
        )
        .order_by(Contract.archive_expires_at)
        .limit(limit)
    ).all()
    renewed = 0
    for contract_id in due:
        contract = db.session.get(Contract, contract_id)
        document, pdf = _current_pdf(contract)
        stamped, until = _stamp(pdf)
        if until < soon:  # the TSA's certificate would not outlive the margin
            continue
        digest = _store_revision(document, stamped, "archive timestamp renewed")
        contract.archive_expires_at = until
        record_event(
            contract,
            "archive_timestamp_renewed",
            Actor("platform:scheduler"),
            document_sha256=digest,
            data={"until": until.isoformat()},
        )
        db.session.commit()
        renewed += 1
    waiting = len(due) - renewed
    summary = f"{renewed} contracts timestamped again"
    if waiting:
        summary += f"; {waiting} wait for a TSA certificate valid past {soon:%Y-%m-%d}"
    return summary


def _advance(contract: Contract, actor: Actor) -> None:
    """Seal silently for companies that sign automatically; finish when all signed."""
    while True:
        db.session.flush()
        turn = current_turn(contract)
        if not turn:
            _finish(contract, actor)
            return
        automatic = [s for s in turn if s.auto]
        if not automatic:
            notify_turn(contract, turn)
            return
        for signatory in automatic:
            _mark_signed(
                contract,
                signatory,
                Actor("platform:auto-seal"),
                _auto_seal_name(contract),
            )


def _mark_signed(
    contract: Contract,
    signatory: Signatory,
    actor: Actor,
    seal_ref: str | None,
    person: PersonalSignature | None = None,
) -> None:
    digest = _apply(contract, signatory, seal_ref, person)
    signatory.status = SignatoryStatus.SIGNED
    signatory.signed_at = utcnow()
    record_event(
        contract,
        "signed",
        actor,
        document_sha256=digest,
        data={
            "signatory": signatory.id,
            "role": signatory.role,
            "name": signatory.name,
        },
    )
    _emit(
        contract,
        "signatory.signed",
        {
            "signatoryId": signatory.id,
            "role": signatory.role,
            "name": signatory.name,
        },
    )


def _find_signatory(contract: Contract, signatory_id: int) -> Signatory:
    signatory = next((s for s in contract.signatories if s.id == signatory_id), None)
    if signatory is None:
        raise NotFoundError(
            f"There is no signatory {signatory_id} on this contract.",
            code="unknown_signatory",
        )
    return signatory


_CONTRACT_SEAL_KINDS = ("contract", "official")
"""Which of a company's seals signs a contract when none is named: 合同专用章 first."""


def _company_seal(signatory: Signatory, seal_ref: str | None) -> str:
    if seal_ref:
        return seal_ref
    seals = {
        seal.kind: seal.id
        for seal in db.session.scalars(
            select(Seal).where(Seal.company == signatory.name)
        )
    }
    for kind in _CONTRACT_SEAL_KINDS:
        if kind in seals:
            return seals[kind]
    raise InvalidInputError(
        f"{signatory.name} has no contract or official seal.", code="no_seal"
    )


def sign_signatory(
    api_app: ApiApp,
    contract_id: str,
    signatory_id: int,
    actor: Actor,
    seal_ref: str | None = None,
) -> Contract:
    """Apply a signatory's signature or seal — in its turn only."""
    contract = find_contract(api_app, contract_id)
    signatory = _find_signatory(contract, signatory_id)
    return sign_in_turn(contract, signatory, actor, seal_ref=seal_ref)


def sign_in_turn(
    contract: Contract,
    signatory: Signatory,
    actor: Actor,
    *,
    seal_ref: str | None = None,
    person: PersonalSignature | None = None,
) -> Contract:
    """Sign for ``signatory`` if it is its turn, advance the routing, commit."""
    if contract.status != ContractStatus.SIGNING:
        raise ConflictError(
            f"The contract is {contract.status}, not SIGNING.", code="not_signing"
        )
    if signatory.status == SignatoryStatus.SIGNED:
        raise ConflictError("This signatory has signed already.", code="already_signed")
    if signatory not in current_turn(contract):
        waiting = "、".join(s.name for s in current_turn(contract))
        raise ConflictError(
            f"It is not {signatory.name}'s turn: waiting for {waiting}.",
            code="not_your_turn",
        )
    seal = _company_seal(signatory, seal_ref) if signatory.kind == "COMPANY" else None
    _mark_signed(contract, signatory, actor, seal, person)
    _advance(contract, actor)
    db.session.commit()
    return contract


def _end(
    contract: Contract,
    status: ContractStatus,
    actor: Actor,
    reason: str,
    event: str,
) -> None:
    check_transition(contract.status, status)
    contract.status = status
    contract.status_reason = reason[:512]
    contract.ended_at = utcnow()
    record_event(contract, event, actor, data={"reason": reason})
    revoke_links(contract, event)
    _emit(contract, f"contract.{event}", {"reason": reason})


def reject_signatory(
    api_app: ApiApp, contract_id: str, signatory_id: int, actor: Actor, reason: str
) -> Contract:
    contract = find_contract(api_app, contract_id)
    signatory = _find_signatory(contract, signatory_id)
    return reject_in_turn(contract, signatory, actor, reason)


def reject_in_turn(
    contract: Contract, signatory: Signatory, actor: Actor, reason: str
) -> Contract:
    """The signatory refuses (with a reason): the contract ends REJECTED."""
    if contract.status == ContractStatus.SIGNING and signatory not in current_turn(
        contract
    ):
        raise ConflictError(f"It is not {signatory.name}'s turn.", code="not_your_turn")
    signatory.status = SignatoryStatus.REJECTED
    signatory.reason = reason[:512]
    _end(contract, ContractStatus.REJECTED, actor, reason, "rejected")
    db.session.commit()
    return contract


def recall_contract(
    api_app: ApiApp, contract_id: str, actor: Actor, reason: str
) -> Contract:
    contract = find_contract(api_app, contract_id)
    _end(contract, ContractStatus.RECALLED, actor, reason, "recalled")
    db.session.commit()
    return contract


def invalidate_contract(
    api_app: ApiApp, contract_id: str, actor: Actor, reason: str
) -> Contract:
    """作废: a sealed invalidation statement joins the contract, now INVALIDATED."""
    contract = find_contract(api_app, contract_id)
    check_transition(contract.status, ContractStatus.INVALIDATED)
    pdf = convert_docx(invalidation_docx(contract, reason))
    document = ContractDocument(
        contract=contract, title=f"{contract.subject}作废声明", kind="invalidation"
    )
    db.session.add(document)
    db.session.flush()
    sealed = seal_pdf(
        pdf,
        _auto_seal_name(contract),
        SealOptions(
            placement=KeywordPlacement(INVALIDATION_KEYWORD, "last", _SEAL_OFFSET_PT),
            level=SignatureLevel.B_T,
            reason="作废",
        ),
    )
    digest = _store_revision(document, sealed.pdf, "invalidation sealed")
    contract.status = ContractStatus.INVALIDATED
    contract.status_reason = reason[:512]
    archive.note_status(contract)
    record_event(
        contract, "invalidated", actor, document_sha256=digest, data={"reason": reason}
    )
    _emit(
        contract,
        "contract.invalidated",
        {"reason": reason, "documentSha256": digest},
    )
    db.session.commit()
    return contract


def expire_due(now: datetime | None = None, limit: int = 100) -> int:
    """Contracts past their deadline while still SIGNING become EXPIRED (callbacks).

    :return: how many expired; each in its own transaction.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Contract.id)
        .where(Contract.status == ContractStatus.SIGNING, Contract.expires_at < now)
        .limit(limit)
    ).all()
    for contract_id in due:
        contract = db.session.get(Contract, contract_id)
        _end(
            contract,
            ContractStatus.EXPIRED,
            Actor("platform:scheduler"),
            "the signing deadline passed",
            "expired",
        )
        db.session.commit()
    return len(due)


def remind_contract(api_app: ApiApp, contract_id: str, actor: Actor) -> list[Signatory]:
    """催签: remind everyone whose turn it is by SMS: persons with a fresh link,
    companies that seal by hand through their operators."""
    contract = find_contract(api_app, contract_id)
    if contract.status != ContractStatus.SIGNING:
        raise ConflictError(
            f"The contract is {contract.status}, not SIGNING.", code="not_signing"
        )
    turn = _remind(contract, actor, utcnow())
    db.session.commit()
    return turn


def _remind(contract: Contract, actor: Actor, now: datetime) -> list[Signatory]:
    turn = current_turn(contract)
    contract.reminded_at = now
    contract.reminders = (contract.reminders or 0) + 1
    record_event(
        contract, "reminded", actor, data={"signatories": [s.id for s in turn]}
    )
    notify_turn(contract, turn, reminder=True)
    _emit(contract, "contract.reminded", {"signatoryIds": [s.id for s in turn]})
    return turn


def _quiet(now: datetime, quiet_hours: list[int]) -> bool:
    """Whether ``now`` falls in the quiet hours ``[start, end)`` (China time)."""
    start, end = (int(hour) for hour in quiet_hours)
    hour = now.astimezone(CHINA_TIME).hour
    return start <= hour < end if start <= end else hour >= start or hour < end


def remind_due(now: datetime | None = None, limit: int = 200) -> int:
    """催签 by the scheduler: signatories kept waiting get a reminder.

    The first after ``REMINDER_FIRST_AFTER_HOURS`` since sending, then every
    ``REMINDER_EVERY_HOURS``, at most ``REMINDER_MAX`` times, never in the
    quiet hours. Each contract in its own transaction.
    """
    now = now or utcnow()
    config = runtime().config
    if _quiet(now, config["REMINDER_QUIET_HOURS"]):
        return 0
    first = now - timedelta(hours=config["REMINDER_FIRST_AFTER_HOURS"])
    again = now - timedelta(hours=config["REMINDER_EVERY_HOURS"])
    due = db.session.scalars(
        select(Contract.id)
        .where(
            Contract.status == ContractStatus.SIGNING,
            Contract.sent_at < first,
            Contract.reminders < config["REMINDER_MAX"],
            (Contract.reminded_at.is_(None)) | (Contract.reminded_at < again),
        )
        .order_by(Contract.sent_at)
        .limit(limit)
    ).all()
    for contract_id in due:
        contract = db.session.get(Contract, contract_id)
        _remind(contract, Actor("platform:scheduler"), now)
        db.session.commit()
    return len(due)


def document_pdf(
    api_app: ApiApp, contract_id: str, version: str
) -> tuple[Contract, bytes]:
    """The current PDF, or the final one (completed or invalidated contracts only)."""
    contract = find_contract(api_app, contract_id)
    if version == "final" and contract.status not in (
        ContractStatus.COMPLETE,
        ContractStatus.INVALIDATED,
    ):
        raise ConflictError(
            "The contract has no final document yet.", code="not_complete"
        )
    if version not in ("current", "final"):
        raise InvalidInputError("version is current or final.", code="invalid_version")
    return contract, _current_pdf(contract)[1]


@dataclass(frozen=True)
class SearchPage:
    items: list[Contract]
    total: int
    page: int
    page_size: int


def search_contracts(
    api_app: ApiApp,
    *,
    status=None,
    category=None,
    borrower=None,
    biz_id=None,
    created_from=None,
    created_to=None,
    page=1,
    page_size=20,
) -> SearchPage:
    query = _visible(select(Contract), api_app)
    if status:
        query = query.where(Contract.status == status)
    if category:
        query = query.where(Contract.category == category)
    if borrower:
        query = query.where(Contract.borrower_name.contains(borrower))
    if biz_id:
        query = query.where(Contract.biz_id == biz_id)
    if created_from:
        query = query.where(Contract.created_at >= created_from)
    if created_to:
        query = query.where(Contract.created_at < created_to + timedelta(days=1))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Contract.created_at.desc(), Contract.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return SearchPage(list(items), total, page, page_size)


def check_pdf_upload(pdf: bytes) -> None:
    """Refuse now what sealing would trip over later: no page tree, no pages."""
    reader = open_for_reading(pdf, runtime().config["MAX_UPLOAD_BYTES"])
    try:
        with pdf_errors():
            page_boxes(reader)  # a loop or no page at all
    except PlacementError as exc:
        raise InvalidPdfError(exc.message) from exc
