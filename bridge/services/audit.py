"""The hash-chained audit log of a contract.

Each event's hash covers the previous hash and the event's canonical JSON, so
changing, removing or reordering any event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..models import Contract, ContractEvent, utcnow

__all__ = ["Actor", "GENESIS", "canonical_event", "record_event", "verify_chain"]

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something, from where."""

    name: str
    ip: str | None = None
    user_agent: str | None = None


def canonical_event(
    contract_id: str,
    seq: int,
    type_: str,
    actor: Actor,
    created_at: datetime,
    document_sha256: str | None,
    data: dict,
) -> bytes:
    """The bytes an event's hash covers: sorted-key JSON, UTF-8, no spaces."""
    return json.dumps(
        {
            "contract": contract_id,
            "seq": seq,
            "type": type_,
            "actor": actor.name,
            "ip": actor.ip,
            "user_agent": actor.user_agent,
            "at": created_at.isoformat(),
            "document_sha256": document_sha256,
            "data": data,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def record_event(
    contract: Contract,
    type_: str,
    actor: Actor,
    *,
    data: dict | None = None,
    document_sha256: str | None = None,
) -> ContractEvent:
    """Append an event to ``contract``'s chain (added to the session, not committed)."""
    seq = contract.last_event_seq + 1
    prev_hash = contract.last_event_hash or GENESIS
    created_at = utcnow()
    payload = data or {}
    digest = hashlib.sha256(
        prev_hash.encode()
        + canonical_event(
            contract.id, seq, type_, actor, created_at, document_sha256, payload
        )
    ).hexdigest()
    event = ContractEvent(
        contract_id=contract.id,
        seq=seq,
        type=type_,
        actor=actor.name,
        ip=actor.ip,
        user_agent=actor.user_agent,
        document_sha256=document_sha256,
        data=payload,
        prev_hash=prev_hash,
        hash=digest,
        created_at=created_at,
    )
    contract.last_event_seq = seq
    contract.last_event_hash = digest
    db.session.add(event)
    return event


def verify_chain(events: list[ContractEvent]) -> bool:
    """Recompute the chain from the genesis; False at the first mismatch."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        created_at = event.created_at
        if created_at.tzinfo is None:  # SQLite drops the zone; events are UTC
            from datetime import UTC

            created_at = created_at.replace(tzinfo=UTC)
        actor = Actor(event.actor, event.ip, event.user_agent)
        digest = hashlib.sha256(
            prev.encode()
            + canonical_event(
                event.contract_id,
                event.seq,
                event.type,
                actor,
                created_at,
                event.document_sha256,
                event.data,
            )
        ).hexdigest()
        if event.seq != expected_seq or event.prev_hash != prev or event.hash != digest:
            return False
        prev = digest
    return True
