"""The hash-chained audit log of a contract.

Each event's hash covers the previous hash and the event's canonical JSON, so
changing, removing or reordering any event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from ..extensions import db
from ..models import Contract, ContractEvent, utcnow

__all__ = [
    "Actor",
    "GENESIS",
    "canonical_event",
    "chain_break",
    "event_digest",
    "export_event",
    "record_event",
    "verify_chain",
]

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


def event_digest(prev_hash: str, event: dict) -> str:
    """The hash of one exported event (the keys of :func:`canonical_event`)."""
    return hashlib.sha256(
        prev_hash.encode()
        + canonical_event(
            event["contract"],
            event["seq"],
            event["type"],
            Actor(event["actor"], event["ip"], event["user_agent"]),
            datetime.fromisoformat(event["at"]),
            event["document_sha256"],
            event["data"],
        )
    ).hexdigest()


def export_event(event: ContractEvent) -> dict:
    """An event as JSON: what its hash covers, with its links in the chain."""
    created_at = event.created_at
    if created_at.tzinfo is None:  # SQLite drops the zone; events are UTC
        created_at = created_at.replace(tzinfo=UTC)
    return {
        "contract": event.contract_id,
        "seq": event.seq,
        "type": event.type,
        "actor": event.actor,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "at": created_at.astimezone(UTC).isoformat(),
        "document_sha256": event.document_sha256,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def chain_break(events: list[dict]) -> str | None:
    """Recompute a chain of exported events; say where it breaks, None if whole."""
    prev = GENESIS
    for position, event in enumerate(events, start=1):
        if event.get("seq") != position:
            return (
                f"event {position} of the chain has number {event.get('seq')}: "
                "events are missing or out of order"
            )
        name = f"event {position} ({event.get('type')})"
        if event.get("prev_hash") != prev:
            return f"{name} does not link to the event before it"
        try:
            digest = event_digest(prev, event)
        except (KeyError, TypeError, ValueError):
            return f"event {position} lacks fields its hash covers"
        if event.get("hash") != digest:
            return f"{name} was changed: its hash does not match its content"
        prev = digest
    return None


def verify_chain(events: list[ContractEvent]) -> bool:
    """Recompute the chain from the genesis; False at the first mismatch."""
    return chain_break([export_event(event) for event in events]) is None
