"""Clean-up: records that have served their purpose and would only grow.

Replay-protection nonces past every timestamp that could still be accepted,
delivered outbox messages past their retention, signing links a while after
their contract ended or they were revoked, and one-time codes long expired.
Nothing that is evidence (events, revisions, undelivered messages) is ever
removed here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select

from ..domain.contracts import ContractStatus
from ..extensions import db
from ..models import (
    Contract,
    OaNonce,
    OneTimeCode,
    OutboxMessage,
    SigningLink,
    UsedNonce,
)
from ..runtime import runtime

__all__ = ["clean_up"]

# Longer than any accepted clock skew (API ±5 min, WS-Security ±5 min).
_NONCE_RETENTION = timedelta(minutes=30)
# A dead link still explains itself ("the contract is COMPLETE") for a month.
_LINK_RETENTION = timedelta(days=30)
# Past the hour of send times the code rate limit looks at.
_CODE_RETENTION = timedelta(days=1)
_HOUR = timedelta(hours=1)


def _stale_address_counters(now: datetime) -> int:
    """Per-address login counters with nothing in the last hour (they count
    only that hour); one row per client address, so few."""
    counters = db.session.scalars(
        select(OneTimeCode).where(
            or_(
                OneTimeCode.subject.startswith("login-code-ip:"),
                OneTimeCode.subject.startswith("login-try-ip:"),
            )
        )
    ).all()
    stale = [
        row
        for row in counters
        if all(_aware(datetime.fromisoformat(t)) < now - _HOUR for t in row.sent_at)
    ]
    for row in stale:
        db.session.delete(row)
    return len(stale)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean_up(now: datetime) -> dict[str, int]:
    """Delete what is no longer needed; how many rows of each kind went."""
    retention = timedelta(days=runtime().config["OUTBOX_RETENTION_DAYS"])
    removed = {
        "nonces": db.session.execute(
            delete(UsedNonce).where(UsedNonce.seen_at < now - _NONCE_RETENTION)
        ).rowcount,
        "oa_nonces": db.session.execute(
            delete(OaNonce).where(OaNonce.seen_at < now - _NONCE_RETENTION)
        ).rowcount,
        "signing_links": db.session.execute(
            delete(SigningLink).where(
                or_(
                    SigningLink.revoked_at < now - _LINK_RETENTION,
                    SigningLink.contract_id.in_(
                        select(Contract.id).where(
                            Contract.status != ContractStatus.SIGNING,
                            Contract.ended_at < now - _LINK_RETENTION,
                        )
                    ),
                )
            )
        ).rowcount,
        "codes": db.session.execute(
            delete(OneTimeCode).where(
                OneTimeCode.expires_at < now - _CODE_RETENTION,
                or_(
                    OneTimeCode.locked_until.is_(None),
                    OneTimeCode.locked_until < now,
                ),
            )
        ).rowcount,
        "address_counters": _stale_address_counters(now),
        "delivered_messages": db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == "delivered",
                OutboxMessage.delivered_at < now - retention,
            )
        ).rowcount,
    }
    db.session.commit()
    return removed
