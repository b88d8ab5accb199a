"""Signing links ``/s/<token>``: one signatory of one contract, unguessable, revocable.

A token is 32 random bytes (256 bits, URL-safe base64); only its SHA-256 is
stored, so the database cannot hand out working links. A link dies with its
contract (completed, rejected, recalled, expired) and after
``SIGNING_LINK_DAYS`` when the contract has no deadline.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta

from sqlalchemy import and_, or_, select, update

from ..domain.contracts import ContractStatus, SignatoryStatus
from ..errors import BridgeError, NotFoundError
from ..extensions import db
from ..models import ApiApp, Contract, Operator, Signatory, SigningLink, utcnow
from ..runtime import runtime
from ..sms.outbox import enqueue_sms

__all__ = [
    "LinkGoneError",
    "issue_link",
    "link_url",
    "notify_turn",
    "operators_of",
    "resolve_link",
    "revoke_links",
]

TOKEN_BYTES = 32


class LinkGoneError(BridgeError):
    """The link was real but is no longer usable (contract ended, link expired)."""

    code = "link_expired"
    status = 410


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(token: str) -> str:
    return f"{runtime().config['PUBLIC_URL'].rstrip('/')}/s/{token}"


def issue_link(signatory: Signatory) -> str:
    """A new token for ``signatory`` (added to the session, not committed)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        SigningLink(
            token_hash=_digest(token),
            contract_id=signatory.contract_id,
            signatory_id=signatory.id,
        )
    )
    return token


def _as_utc(moment):
    """SQLite gives back naive datetimes; the bridge stores UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def resolve_link(token: str) -> SigningLink:
    """The live link for ``token``; 404 unknown_link, or 410 when it has died."""
    link = (
        db.session.scalar(
            select(SigningLink).where(SigningLink.token_hash == _digest(token))
        )
        if 20 <= len(token) <= 100
        else None
    )
    if link is None:
        raise NotFoundError("This signing link does not exist.", code="unknown_link")
    contract = db.session.get(Contract, link.contract_id)
    now = utcnow()
    if link.revoked_at is not None:
        raise LinkGoneError(
            f"This signing link was revoked: the contract is {contract.status}.",
            code="link_revoked",
        )
    deadline = _as_utc(contract.expires_at) or _as_utc(link.created_at) + timedelta(
        days=runtime().config["SIGNING_LINK_DAYS"]
    )
    if deadline < now and contract.status == ContractStatus.SIGNING:
        raise LinkGoneError("This signing link has expired.")
    return link


def revoke_links(contract: Contract, reason: str) -> None:
    """Kill every live link of ``contract`` (in the caller's transaction)."""
    db.session.execute(
        update(SigningLink)
        .where(SigningLink.contract_id == contract.id, SigningLink.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason[:64])
    )


def _has_live_link(signatory: Signatory) -> bool:
    return (
        db.session.scalar(
            select(SigningLink.id).where(
                SigningLink.signatory_id == signatory.id,
                SigningLink.revoked_at.is_(None),
            )
        )
        is not None
    )


def notify_turn(
    contract: Contract, turn: list[Signatory], *, reminder: bool = False
) -> list[Signatory]:
    """Text everyone whose turn it is (not committed). Returns who was messaged.

    A person gets a signing link; each operator of a company that seals by
    hand gets word to seal at ``/op``. On a turn change only those not told
    yet are; a reminder (催签) tells everyone in turn again, persons with a
    fresh link.
    """
    sender = db.session.get(ApiApp, contract.app_id)
    messaged = []
    for signatory in turn:
        if signatory.kind == "PERSONAL" and signatory.mobile:
            if reminder or not _has_live_link(signatory):
                _text_link(contract, signatory, sender, reminder)
                messaged.append(signatory)
        elif signatory.kind == "COMPANY" and not signatory.auto:
            if (reminder or _order_just_began(signatory)) and _text_operators(
                contract, signatory, sender, reminder
            ):
                messaged.append(signatory)
    return messaged


def _text_link(
    contract: Contract, signatory: Signatory, sender: ApiApp, reminder: bool
) -> None:
    url = link_url(issue_link(signatory))
    again = "提醒您尽快" if reminder else "邀请您"
    enqueue_sms(
        signatory.mobile,
        f"{runtime().config['SMS_SIGNATURE']}{signatory.name}您好，{sender.name}{again}"
        f"签署《{contract.subject}》，请打开 {url} 完成实名认证和签署。",
        "signing_link",
    )


def _order_just_began(signatory: Signatory) -> bool:
    """No one of the signatory's routing order has signed by hand yet: its turn is new
    (automatic seals of the same order go first, in the same step)."""
    return not any(
        other.routing_order == signatory.routing_order
        and not other.auto
        and other.status == SignatoryStatus.SIGNED
        for other in signatory.contract.signatories
    )


def operators_of(signatory: Signatory):
    """The operators of a company signatory: those with its credit code, and those
    registered without one under its name."""
    by_name = and_(Operator.credit_code.is_(None), Operator.company == signatory.name)
    if not signatory.credit_code:
        return select(Operator).where(by_name)
    return select(Operator).where(
        or_(Operator.credit_code == signatory.credit_code, by_name)
    )


def _text_operators(
    contract: Contract, signatory: Signatory, sender: ApiApp, reminder: bool
) -> bool:
    """Tell the company's operators to seal; False when it has none."""
    operators = db.session.scalars(operators_of(signatory)).all()
    config = runtime().config
    again = "提醒尽快" if reminder else "请"
    for operator in operators:
        enqueue_sms(
            operator.mobile,
            f"{config['SMS_SIGNATURE']}{operator.name}您好，{sender.name}发来的"
            f"《{contract.subject}》待{signatory.name}盖章，{again}登录 "
            f"{config['PUBLIC_URL'].rstrip('/')}/op 用印。",
            "operator_turn",
        )
    return bool(operators)
