"""The outbox: events for the finance system, written with the state change."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .apps import ApiApp
from .base import utcnow

__all__ = ["OutboxMessage"]


class OutboxMessage(db.Model):
    """One webhook (or OA pushback) to deliver, at least once, in order per subject.

    ``event_id`` is the receiver's idempotency key: it stays the same on every
    retry. ``status`` is ``pending`` (waiting or retrying), ``delivered`` or
    ``dead`` (attempts exhausted; an operator may retry it).
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: uuid.uuid4().hex
    )
    kind: Mapped[str] = mapped_column(
        String(16), default="webhook", server_default="webhook"
    )
    """``webhook`` (POST to the app), ``oa_pushback`` (into an OA request) or
    ``sms`` (to a mobile: no app, payload sealed)."""
    app_id: Mapped[int | None] = mapped_column(ForeignKey("api_apps.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """What the event is about (a contract id); its events are sent in order."""
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Set while one dispatcher sends the message; others skip it until then."""
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    app: Mapped[ApiApp | None] = relationship()
