"""Clean-up: records that have served their purpose and would only grow.

Replay-protection nonces past every timestamp that could still be accepted,
and delivered outbox messages past their retention. Nothing that is evidence
(events, revisions, undelivered messages) is ever removed here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from ..extensions import db
from ..models import OaNonce, OutboxMessage, UsedNonce
from ..runtime import runtime

__all__ = ["clean_up"]

# Longer than any accepted clock skew (API ±5 min, WS-Security ±5 min).
_NONCE_RETENTION = timedelta(minutes=30)


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
        "delivered_messages": db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.status == "delivered",
                OutboxMessage.delivered_at < now - retention,
            )
        ).rowcount,
    }
    db.session.commit()
    return removed
