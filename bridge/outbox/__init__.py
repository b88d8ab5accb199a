"""The outbox: webhooks that are never lost, written with the change they report.

    with the caller's transaction open:
        contract.status = "COMPLETE"
        enqueue(api_app, "contract.completed", {...}, subject_id=contract.id)
        db.session.commit()          # the change and its event, or neither

**enqueue() does not commit.** It adds a row to the current ``db.session``;
the caller's own commit makes the state change and its webhook durable
together, and a rollback drops both. A dispatcher (``outbox.dispatch``, run by
the scheduler of ``sealbridge serve`` or ``sealbridge outbox dispatch``) then
delivers the row at least once, with retries and a dead-letter state.
"""

from __future__ import annotations

from ..extensions import db
from ..models import ApiApp, OutboxMessage

__all__ = ["enqueue", "enqueue_pushback"]


def enqueue(
    api_app: ApiApp, event_type: str, payload: dict, subject_id: str | None = None
) -> OutboxMessage | None:
    """Add a webhook for ``api_app`` to the current transaction — NOT committed.

    The caller commits (or rolls back) together with the state change the
    event reports. Apps without a callback URL get no row: ``None``.

    :param event_type: e.g. ``contract.completed``; the receiver's switch.
    :param payload: JSON-serialisable; delivered as the envelope's ``data``.
    :param subject_id: what the event is about (a contract id). Messages of
        one app and subject are delivered strictly in the order enqueued: one
        is not sent while an older one is undelivered.
    """
    if not api_app.callback_url:
        return None
    message = OutboxMessage(
        app_id=api_app.id,
        event_type=event_type,
        subject_id=subject_id,
        payload=payload,
    )
    db.session.add(message)
    return message


def enqueue_pushback(payload: dict, subject_id: str) -> OutboxMessage:
    """Add an OA pushback to the current transaction — NOT committed.

    Delivered by ``services.oa_pushback.deliver`` with the same retries and
    dead letter as webhooks, in order per ``subject_id`` (an OA request).
    """
    message = OutboxMessage(
        kind="oa_pushback",
        event_type="oa.pushback",
        subject_id=subject_id,
        payload=payload,
    )
    db.session.add(message)
    return message
