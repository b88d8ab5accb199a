"""What operators see of the outbox: messages by status, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..errors import InvalidInputError, NotFoundError
from ..extensions import db
from ..models import OutboxMessage

__all__ = ["STATUSES", "MessagePage", "list_messages", "message_dict", "show_message"]

STATUSES = ("pending", "delivered", "dead")


@dataclass(frozen=True)
class MessagePage:
    items: list[dict]
    page: int
    per_page: int
    total: int

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def message_dict(message: OutboxMessage) -> dict:
    """A message for operators; the payload is left out (it may name borrowers)."""
    return {
        "id": message.id,
        "event_id": message.event_id,
        "app_key": message.app.app_key if message.app else None,
        "kind": message.kind,
        "event_type": message.event_type,
        "subject_id": message.subject_id,
        "status": message.status,
        "attempts": message.attempts,
        "next_attempt_at": _iso(message.next_attempt_at),
        "last_error": message.last_error,
        "created_at": _iso(message.created_at),
        "delivered_at": _iso(message.delivered_at),
    }


def list_messages(
    status: str | None = None, page: int = 1, per_page: int = 50
) -> MessagePage:
    """One page of messages, newest first, optionally of one status."""
    if status is not None and status not in STATUSES:
        raise InvalidInputError(
            f"Unknown status {status!r}: use one of {', '.join(STATUSES)}.",
            code="invalid_status",
        )
    if page < 1 or not 1 <= per_page <= 500:
        raise InvalidInputError(
            "page starts at 1; per_page is 1-500.", code="invalid_page"
        )
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    messages = db.session.scalars(
        query.options(joinedload(OutboxMessage.app))
        .order_by(OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return MessagePage(
        items=[message_dict(message) for message in messages],
        page=page,
        per_page=per_page,
        total=total,
    )


def show_message(message_id: int) -> dict:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFoundError(f"There is no outbox message {message_id}.")
    return message_dict(message)
