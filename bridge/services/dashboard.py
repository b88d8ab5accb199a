"""What the dashboard shows, always within the viewer's tenants.

Head office sees every tenant; a dealer-store user only contracts whose
``tenant`` is theirs — every query here goes through :func:`_visible`, and a
failed delivery counts as a dealer's only if it is about one of its contracts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import ForbiddenError
from ..extensions import db
from ..models import (
    ApiApp,
    Contract,
    ContractEvent,
    DashboardUser,
    OutboxMessage,
    Signatory,
    utcnow,
)
from ..outbox.dispatch import retry_dead
from ..outbox.listing import message_dict
from .contracts import current_turn
from .labels import CATEGORIES, CHINA, EVENT_LABELS, STATUSES

__all__ = [
    "CycleGroup",
    "CycleTimes",
    "Stuck",
    "Viewer",
    "cycle_times",
    "events_after",
    "failed_deliveries",
    "last_event_id",
    "percentile",
    "retry_delivery",
    "status_counts",
    "stuck_contracts",
    "tenant_names",
]


@dataclass(frozen=True)
class Viewer:
    """Whose eyes: head office (every tenant) or one dealer tenant.

    A plain value, so a long-lived stream keeps it across database sessions.
    """

    head_office: bool
    tenant: str | None

    @classmethod
    def of(cls, user: DashboardUser) -> Viewer:
        return cls(user.head_office, None if user.head_office else user.tenant)


def _visible(query, viewer: Viewer):
    return (
        query if viewer.head_office else query.where(Contract.tenant == viewer.tenant)
    )


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def status_counts(viewer: Viewer) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, zeros included."""
    rows = db.session.execute(
        _visible(
            select(Contract.status, func.count()).group_by(Contract.status), viewer
        )
    )
    counts = dict(rows.all())
    return [(s, label, counts.get(s, 0)) for s, label in STATUSES.items()]


@dataclass(frozen=True)
class Stuck:
    """A contract in SIGNING: whose turn it is, and since when they are awaited."""

    contract: Contract
    waiting_for: list[Signatory]
    since: datetime
    waited: timedelta


def stuck_contracts(
    viewer: Viewer, *, now: datetime | None = None, limit: int = 50
) -> list[Stuck]:
    """Contracts in SIGNING, the longest-waiting first.

    The wait starts at the last signature (or at sending, before any).
    """
    now = now or utcnow()
    last_signed = _visible(
        select(Signatory.contract_id, func.max(Signatory.signed_at).label("at"))
        .join(Contract, Contract.id == Signatory.contract_id)
        .where(Contract.status == "SIGNING")
        .group_by(Signatory.contract_id),
        viewer,
    ).subquery()
    since = func.coalesce(last_signed.c.at, Contract.sent_at)
    rows = db.session.execute(
        _visible(
            select(Contract, since)
            .outerjoin(last_signed, last_signed.c.contract_id == Contract.id)
            .where(Contract.status == "SIGNING")
            .options(selectinload(Contract.signatories))
            .order_by(since, Contract.id)
            .limit(limit),
            viewer,
        )
    ).all()
    return [
        Stuck(contract, current_turn(contract), _utc(at), now - _utc(at))
        for contract, at in rows
    ]


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class CycleGroup:
    """Signing cycle times (completed − sent) of one category or one dealer."""

    key: str
    label: str
    count: int
    median: timedelta
    p90: timedelta


def tenant_names() -> dict[str, str]:
    """Dealer tenants by the names of their apps (``经销商甲 (JN001)``)."""
    rows = db.session.execute(
        select(ApiApp.tenant, ApiApp.name).where(ApiApp.head_office.is_(False))
    )
    return {tenant: f"{name} ({tenant})" for tenant, name in rows}


def _groups(durations: dict[str, list[float]], labels: dict) -> list[CycleGroup]:
    return [
        CycleGroup(
            key,
            labels.get(key, key),
            len(seconds),
            timedelta(seconds=percentile(seconds, 0.5)),
            timedelta(seconds=percentile(seconds, 0.9)),
        )
        for key, seconds in sorted(durations.items())
    ]


@dataclass(frozen=True)
class CycleTimes:
    by_category: list[CycleGroup]
    by_dealer: list[CycleGroup]
    by_week: list[CycleGroup]
    """Weeks (Monday, UTC+8) in order: the trend."""


def _week(moment: datetime) -> str:
    day = _utc(moment).astimezone(CHINA).date()
    return (day - timedelta(days=day.weekday())).isoformat()


def cycle_times(viewer: Viewer, start: datetime, end: datetime) -> CycleTimes:
    """Per category, dealer and week, of contracts completed in [start, end)."""
    rows = db.session.execute(
        _visible(
            select(
                Contract.category,
                Contract.tenant,
                Contract.sent_at,
                Contract.completed_at,
            ).where(
                Contract.completed_at >= start,
                Contract.completed_at < end,
                Contract.sent_at.is_not(None),
            ),
            viewer,
        )
    )
    by_category: dict[str, list[float]] = {}
    by_dealer: dict[str, list[float]] = {}
    by_week: dict[str, list[float]] = {}
    for category, tenant, sent, completed in rows:
        seconds = (_utc(completed) - _utc(sent)).total_seconds()
        by_category.setdefault(category, []).append(seconds)
        by_dealer.setdefault(tenant, []).append(seconds)
        by_week.setdefault(_week(completed), []).append(seconds)
    weeks = {week: f"{week} 当周" for week in by_week}
    return CycleTimes(
        _groups(by_category, CATEGORIES),
        _groups(by_dealer, tenant_names()),
        _groups(by_week, weeks),
    )


def _dead(viewer: Viewer):
    query = select(OutboxMessage).where(OutboxMessage.status == "dead")
    if not viewer.head_office:
        query = query.join(Contract, Contract.id == OutboxMessage.subject_id).where(
            Contract.tenant == viewer.tenant
        )
    return query


def failed_deliveries(viewer: Viewer, limit: int = 200) -> list[dict]:
    """Dead outbox messages, newest first, with the subject of their contract."""
    messages = db.session.scalars(
        _dead(viewer)
        .options(joinedload(OutboxMessage.app))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    ).all()
    ids = {m.subject_id for m in messages if m.subject_id}
    subjects = dict(
        db.session.execute(
            select(Contract.id, Contract.subject).where(Contract.id.in_(ids))
        ).all()
    )
    return [
        message_dict(m) | {"contract_subject": subjects.get(m.subject_id)}
        for m in messages
    ]


def retry_delivery(viewer: Viewer, message_id: int) -> None:
    """Head office sends a dead message again (once the receiver is fixed)."""
    if not viewer.head_office:
        raise ForbiddenError(
            "Only head office may retry deliveries.", code="head_office_only"
        )
    retry_dead(message_id)


def _events(viewer: Viewer):
    return _visible(
        select(ContractEvent, Contract.subject, Contract.tenant, Contract.status).join(
            Contract, Contract.id == ContractEvent.contract_id
        ),
        viewer,
    )


def last_event_id(viewer: Viewer) -> int:
    """Where a new live stream starts: after every event the viewer could see."""
    newest = _visible(
        select(func.max(ContractEvent.id)).join(
            Contract, Contract.id == ContractEvent.contract_id
        ),
        viewer,
    )
    return db.session.scalar(newest) or 0


def events_after(viewer: Viewer, cursor: int, limit: int = 100) -> list[dict]:
    """The viewer's contract events with ids above ``cursor``, oldest first."""
    rows = db.session.execute(
        _events(viewer)
        .where(ContractEvent.id > cursor)
        .order_by(ContractEvent.id)
        .limit(limit)
    )
    return [
        {
            "id": event.id,
            "contractId": event.contract_id,
            "subject": subject,
            "tenant": tenant,
            "type": event.type,
            "label": EVENT_LABELS.get(event.type, event.type),
            "status": status,
            "statusLabel": STATUSES.get(status, status),
            "at": _utc(event.created_at).isoformat(),
        }
        for event, subject, tenant, status in rows
    ]
