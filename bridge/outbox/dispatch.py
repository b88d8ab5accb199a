"""Delivering the outbox: claim due messages, POST them, retry with backoff.

Several dispatchers (threads of one process, or bridge processes sharing a
PostgreSQL database) may run at once. Each message is claimed before it is
sent, so no two dispatchers send it in the same attempt: on PostgreSQL with
``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite with a conditional ``UPDATE``
whose row count says who won. A claim is a lease (``claimed_until``): if the
dispatcher dies while sending, the message is sent again once the lease ends,
hence *at least once* and the stable ``event_id`` receivers deduplicate on.

Messages of one app and subject (a contract) go out in the order they were
enqueued: one is not claimed while an older one is undelivered, dead included,
so a receiver never sees "completed" before "signed". Network failures never
raise out of :func:`dispatch_due`: they are logged and retried.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import case, exists, or_, select, update
from sqlalchemy.orm import aliased

from ..errors import ConflictError, NotFoundError
from ..extensions import db
from ..models import OutboxMessage, utcnow
from ..runtime import runtime
from ..services.apps import webhook_secrets
from ..services.jobs import node_name
from ..sms.outbox import sms_sender
from .webhooks import event_body, signature_headers

__all__ = ["DispatchResult", "dispatch_due", "dispatch_now", "retry_dead"]

logger = logging.getLogger(__name__)

_CANDIDATES = 10
"""Due messages read at once on SQLite; the first still unclaimed is taken."""
_ERROR_SNIPPET = 200


@dataclass(frozen=True)
class DispatchResult:
    """What one pass did: sent, failed (to be retried), failed for the last time."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0


def _due(now: datetime) -> tuple:
    """Conditions of a message that may be claimed at ``now``."""
    older = aliased(OutboxMessage)
    waiting_behind = exists().where(
        older.app_id.is_not_distinct_from(OutboxMessage.app_id),
        older.subject_id == OutboxMessage.subject_id,
        older.id < OutboxMessage.id,
        older.status != "delivered",
    )
    return (
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        ~waiting_behind,
    )


@dataclass(frozen=True)
class Leases:
    """How long a claim holds, by kind: well past the slowest send, so no other
    node takes a message while it is still being sent. It is also how long the
    messages a crashed node had claimed wait before another node retries."""

    request: timedelta
    """Webhooks and SMS: one request each, three times its timeout."""
    pushback: timedelta
    """OA pushbacks: several calls within one budget."""

    @classmethod
    def of_config(cls) -> Leases:
        from ..services.oa_pushback import budget_seconds

        config = runtime().config
        single = max(
            config["WEBHOOK_TIMEOUT_SECONDS"], config["SMS_HTTP_TIMEOUT_SECONDS"]
        )
        return cls(
            request=timedelta(seconds=3 * single + 10),
            pushback=timedelta(seconds=budget_seconds() + 10),
        )


def _claim_next(
    now: datetime, leases: Leases, only_id: int | None = None
) -> int | None:
    """Claim the oldest due message (or ``only_id`` if due); its id, or None."""
    query = select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id)
    if only_id is not None:
        query = query.where(OutboxMessage.id == only_id)
    claim = update(OutboxMessage).values(
        claimed_until=case(
            (OutboxMessage.kind == "oa_pushback", now + leases.pushback),
            else_=now + leases.request,
        )
    )
    if db.engine.dialect.name == "postgresql":
        message_id = db.session.scalar(
            query.limit(1).with_for_update(skip_locked=True, of=OutboxMessage)
        )
        if message_id is not None:
            db.session.execute(claim.where(OutboxMessage.id == message_id))
        db.session.commit()
        return message_id
    for message_id in db.session.scalars(query.limit(_CANDIDATES)).all():
        won = db.session.execute(
            claim.where(OutboxMessage.id == message_id, *_due(now))
        )
        if won.rowcount == 1:
            db.session.commit()
            return message_id
    db.session.commit()
    return None


def _post(
    http: requests.Session,
    url: str | None,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> str | None:
    """POST one delivery; None when the receiver answered 2xx, else why not."""
    if not url:
        return "the app has no callback URL"
    try:
        response = http.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                # Which node sent it: for operators reading a receiver's logs.
                "User-Agent": f"Sealbridge-Webhooks ({node_name()})",
                **headers,
            },
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
        with response:
            if 200 <= response.status_code < 300:
                return None
            snippet = next(response.iter_content(_ERROR_SNIPPET), b"")
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"
    text = snippet.decode("utf-8", "replace")
    return f"HTTP {response.status_code}: {text}".strip()


# Sends one message outside any transaction: None when delivered, else why not.
Sender = Callable[[requests.Session], str | None]


def _backoff(attempts: int, config: dict) -> timedelta:
    """min(base × 2^(attempts−1), max), plus up to 10 % jitter against herds."""
    delay = min(
        config["OUTBOX_BACKOFF_SECONDS"] * 2 ** (attempts - 1),
        config["OUTBOX_MAX_BACKOFF_SECONDS"],
    )
    return timedelta(seconds=delay * (1 + random.uniform(0, 0.1)))


def _webhook_sender(message: OutboxMessage) -> Sender:
    body = event_body(
        message.event_id, message.event_type, message.created_at, message.payload
    )
    headers = signature_headers(
        webhook_secrets(message.app),
        int(utcnow().timestamp()),
        body,
        event_id=message.event_id,
        event_type=message.event_type,
    )
    url = message.app.callback_url
    timeout = runtime().config["WEBHOOK_TIMEOUT_SECONDS"]
    return lambda http: _post(http, url, body, headers, timeout)


def _pushback_sender(message: OutboxMessage) -> Sender:
    from ..services.oa_pushback import deliver  # it enqueues through this package

    payload = dict(message.payload)
    return lambda http: deliver(payload)


def _sender(message: OutboxMessage) -> Sender:
    """How a message of its kind goes out: a webhook POST, an OA pushback, an SMS."""
    if message.kind == "sms":
        return sms_sender(message)
    if message.kind == "oa_pushback":
        return _pushback_sender(message)
    return _webhook_sender(message)


def _attempt(
    http: requests.Session, message_id: int, clock: Callable[[], datetime]
) -> str:
    """Send one claimed message and record the outcome: delivered, failed or dead."""
    config = runtime().config
    send = _sender(db.session.get(OutboxMessage, message_id))
    db.session.commit()  # no transaction stays open while the receiver answers
    error = send(http)

    now = clock()  # after the answer: a slow timeout must not eat the backoff
    message = db.session.get(OutboxMessage, message_id)
    message.claimed_until = None
    message.attempts += 1
    if error is None:
        outcome = message.status = "delivered"
        message.delivered_at = now
        message.last_error = None
    else:
        message.last_error = error[:500]
        if message.attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
            message.status = outcome = "dead"
        else:
            message.next_attempt_at = now + _backoff(message.attempts, config)
            outcome = "failed"
        logger.warning(
            "%s %s %s (message %d) attempt %d %s: %s",
            message.kind,
            message.event_type,
            message.event_id,
            message.id,
            message.attempts,
            "failed for the last time" if outcome == "dead" else "failed",
            message.last_error,
        )
    db.session.commit()
    return outcome


def dispatch_due(limit: int = 20, now: datetime | None = None) -> DispatchResult:
    """Deliver up to ``limit`` due messages, oldest first (inside an app context).

    :param now: a fixed time for the whole pass (default: the clock, read
        before each claim so leases stay valid through a slow pass); tests pass
        a later time to skip waiting out the backoff.
    """
    clock = utcnow if now is None else lambda: now
    leases = Leases.of_config()
    counts = {"delivered": 0, "failed": 0, "dead": 0}
    with requests.Session() as http:
        for _ in range(limit):
            message_id = _claim_next(clock(), leases)
            if message_id is None:
                break
            counts[_attempt(http, message_id, clock)] += 1
    return DispatchResult(**counts)


def dispatch_now(message_id: int) -> str | None:
    """Try one just-committed message at once (an SMS code the user waits for).

    Claimed like any other, so a concurrent dispatcher never sends it twice;
    a failure is left to the scheduled passes. The outcome, or None if the
    message was not due (taken by someone else, or already sent).
    """
    if _claim_next(utcnow(), Leases.of_config(), only_id=message_id) is None:
        return None
    with requests.Session() as http:
        return _attempt(http, message_id, utcnow)


def retry_dead(message_id: int | None = None) -> int:
    """Give dead messages (one, or all with ``None``) a fresh round of attempts.

    For operators, once the receiver is fixed. Returns how many were reset.
    """
    conditions = [OutboxMessage.status == "dead"]
    if message_id is not None:
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            raise NotFoundError(f"There is no outbox message {message_id}.")
        if message.status != "dead":
            raise ConflictError(
                f"Outbox message {message_id} is {message.status}, not dead.",
                code="not_dead",
            )
        conditions.append(OutboxMessage.id == message_id)
    reset = db.session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(
            status="pending", attempts=0, next_attempt_at=utcnow(), claimed_until=None
        )
    ).rowcount
    db.session.commit()
    return reset
