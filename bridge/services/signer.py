"""A person signing from an SMS link: identity, reading, handwriting, SMS code.

Each use case takes the link's token, so a link only ever acts for its own
signatory of its own contract. Identity evidence (method, provider reference,
time, masked ID number) goes into the contract's audit chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from ..documents.page_images import PageImages
from ..domain.contracts import ContractStatus, SignatoryStatus
from ..domain.validators import mask_id_number
from ..errors import BridgeError, ConflictError, InvalidInputError
from ..extensions import db
from ..identity import build_provider
from ..models import (
    ApiApp,
    Contract,
    ContractEvent,
    Signatory,
    SignerIdentity,
    SigningLink,
    utcnow,
)
from ..runtime import runtime
from ..signing.drawn_signature import signature_artwork
from . import otp, pki
from .audit import Actor, record_event
from .contracts import (
    PersonalSignature,
    current_turn,
    reject_in_turn,
    sign_in_turn,
)
from .identities import id_number_digest
from .signing_links import resolve_link
from .storage import storage

__all__ = [
    "SignerView",
    "open_link",
    "page_image",
    "page_images",
    "reject",
    "send_sign_code",
    "sign",
    "signed_pdf",
    "verify_identity",
]


class IdentityAttemptsError(BridgeError):
    code = "identity_attempts_exceeded"
    status = 429
    retry_after = 3600


@dataclass(frozen=True)
class SignerView:
    """What the pages show: the contract, this signatory, whose turn it is."""

    link: SigningLink
    contract: Contract
    signatory: Signatory
    sender: str
    turn: list[Signatory]
    identity: SignerIdentity | None
    pages: int

    @property
    def my_turn(self) -> bool:
        return (
            self.contract.status == ContractStatus.SIGNING
            and self.signatory in self.turn
        )


def _identity_provider():
    return runtime().cached(
        "identity-provider", lambda: build_provider(runtime().config)
    )


def page_images() -> PageImages:
    return runtime().cached(
        "page-images", lambda: PageImages(runtime().home / "page-images")
    )


def _current(contract: Contract):
    document = next(d for d in contract.documents if d.kind == "contract")
    return document.current.sha256


def open_link(token: str) -> SignerView:
    link = resolve_link(token)
    contract = db.session.get(Contract, link.contract_id)
    signatory = db.session.get(Signatory, link.signatory_id)
    sha256 = _current(contract)
    return SignerView(
        link=link,
        contract=contract,
        signatory=signatory,
        sender=db.session.get(ApiApp, contract.app_id).name,
        turn=current_turn(contract)
        if contract.status == ContractStatus.SIGNING
        else [],
        identity=db.session.get(SignerIdentity, signatory.id),
        pages=page_images().page_count(storage().get(sha256), sha256),
    )


def signed_pdf(view: SignerView) -> bytes:
    """The document as it stands, for a signer who has signed."""
    if view.signatory.status != SignatoryStatus.SIGNED:
        raise ConflictError("Sign first.", code="not_signed")
    return storage().get(_current(view.contract))


def page_image(view: SignerView, number: int) -> bytes:
    sha256 = _current(view.contract)
    return page_images().page(storage().get(sha256), sha256, number)


def _require_turn(view: SignerView) -> None:
    if view.contract.status != ContractStatus.SIGNING:
        raise ConflictError(
            f"The contract is {view.contract.status}.", code="not_signing"
        )
    if view.signatory.status == SignatoryStatus.SIGNED:
        raise ConflictError("You have signed already.", code="already_signed")
    if not view.my_turn:
        waiting = "、".join(s.name for s in view.turn)
        raise ConflictError(
            f"It is not your turn yet: waiting for {waiting}.",
            code="not_your_turn",
            details={"waiting": waiting},
        )


def _require_identity(view: SignerView) -> SignerIdentity:
    if view.identity is None:
        raise ConflictError("Verify your identity first.", code="identity_required")
    return view.identity


_IDENTITY_ATTEMPTS_PER_HOUR = 5


def _check_identity_attempts(view: SignerView) -> None:
    """Guessing ID numbers through a link: 5 failures an hour, then 429."""
    since = utcnow() - timedelta(hours=1)
    failures = db.session.scalars(
        select(ContractEvent.data).where(
            ContractEvent.contract_id == view.contract.id,
            ContractEvent.type == "identity_failed",
            ContractEvent.created_at >= since,
        )
    )
    mine = sum(1 for data in failures if data.get("signatory") == view.signatory.id)
    if mine >= _IDENTITY_ATTEMPTS_PER_HOUR:
        raise IdentityAttemptsError("Too many failed verifications; try again later.")


def _identity_failed(view: SignerView, actor: Actor, data: dict, message: str):
    """Keep the failure as evidence (masked ID), then refuse."""
    record_event(
        view.contract,
        "identity_failed",
        actor,
        data={"signatory": view.signatory.id, **data},
    )
    db.session.commit()
    raise InvalidInputError(message, code="identity_mismatch")


def verify_identity(token: str, name: str, id_number: str, actor: Actor) -> SignerView:
    """Check the signer is the contract's person, then ask the provider (once).

    The name and ID number are asked for on every device, so a forwarded
    link alone is not enough to read or sign.
    """
    view = open_link(token)
    _require_turn(view)
    if view.signatory.kind != "PERSONAL":
        raise ConflictError(
            "A company seals on the operator pages.", code="not_personal"
        )
    _check_identity_attempts(view)
    name = (name or "").strip()
    id_number = (id_number or "").strip().upper()
    masked = mask_id_number(id_number) if id_number else None
    if name != view.signatory.name or (
        id_number_digest(id_number) != view.signatory.id_number_hash
    ):
        _identity_failed(
            view,
            actor,
            {"idNumber": masked, "reason": "not the contract's signatory"},
            "The name or ID number is not the one on this contract.",
        )
    if view.identity is not None:  # verified before, e.g. on another phone
        return view
    result = _identity_provider().verify(name, id_number, view.signatory.mobile or "")
    evidence = {
        "signatory": view.signatory.id,
        "method": result.method,
        "providerRef": result.reference,
        "idNumber": masked,
    }
    if not result.matched:
        _identity_failed(
            view,
            actor,
            {**evidence, "reason": result.reason},
            f"Real-name verification failed: {result.reason}.",
        )
    certificate = pki.issue_event_certificate(name, view.signatory.id_number_hash)
    db.session.flush()
    identity = SignerIdentity(
        signatory_id=view.signatory.id,
        method=result.method,
        provider_reference=result.reference,
        certificate_id=certificate.id,
    )
    db.session.add(identity)
    record_event(
        view.contract,
        "identity_verified",
        actor,
        data={**evidence, "certificateSerial": certificate.serial_number},
    )
    db.session.commit()
    return open_link(token)


def _otp_subject(signatory: Signatory) -> str:
    return f"signatory:{signatory.id}"


def send_sign_code(token: str, actor: Actor) -> int:
    """Text the signer a code; the outbox message's id (to send at once)."""
    view = open_link(token)
    _require_turn(view)
    _require_identity(view)
    subject = view.contract.subject
    message = otp.send_code(
        _otp_subject(view.signatory),
        view.signatory.mobile,
        f"签署《{subject}》",
    )
    record_event(
        view.contract, "code_sent", actor, data={"signatory": view.signatory.id}
    )
    db.session.commit()
    return message.id


def sign(token: str, png: bytes, code: str, actor: Actor) -> SignerView:
    """Check the code, then sign with the drawn signature and the event certificate."""
    view = open_link(token)
    _require_turn(view)
    identity = _require_identity(view)
    artwork, trimmed = signature_artwork(png)
    otp.check_code(_otp_subject(view.signatory), code)
    record_event(
        view.contract,
        "willingness_confirmed",
        actor,
        data={
            "signatory": view.signatory.id,
            "method": "sms-otp",
            "handwritingSha256": storage().put(trimmed),
        },
    )
    sign_in_turn(
        view.contract,
        view.signatory,
        actor,
        person=PersonalSignature(identity.certificate, artwork),
    )
    return open_link(token)


def reject(token: str, reason: str, actor: Actor) -> SignerView:
    view = open_link(token)
    _require_turn(view)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError(
            "Say why you refuse to sign.",
            code="invalid_request",
            details={"reason": "is required"},
        )
    reject_in_turn(view.contract, view.signatory, actor, reason[:500])
    return view
