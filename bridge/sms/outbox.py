"""SMS as outbox messages: enqueued with the state change, sent by the dispatcher.

The payload (mobile and text, which may hold a one-time code) is sealed with
the deployment's secret box, so the outbox table holds no readable code.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..extensions import db
from ..models import OutboxMessage
from ..runtime import runtime
from . import SmsError, build_gateway

__all__ = ["enqueue_sms", "sms_sender"]

_CONTEXT = "outbox-sms"


def enqueue_sms(mobile: str, text: str, purpose: str) -> OutboxMessage:
    """Add an SMS to the current transaction — NOT committed (like ``enqueue``)."""
    sealed = runtime().secrets.seal(
        json.dumps({"mobile": mobile, "text": text}, ensure_ascii=False), _CONTEXT
    )
    message = OutboxMessage(
        kind="sms",
        app_id=None,
        event_type=f"sms.{purpose}",
        subject_id=None,
        payload={"sealed": sealed.hex()},
    )
    db.session.add(message)
    return message


def _gateway():
    return runtime().cached("sms-gateway", lambda: build_gateway(runtime().config))


def sms_sender(message: OutboxMessage) -> Callable[[object], str | None]:
    """What the dispatcher calls to send ``message``: None on success, else why not."""
    content = json.loads(
        runtime().secrets.open(bytes.fromhex(message.payload["sealed"]), _CONTEXT)
    )

    def send(_http) -> str | None:
        try:
            _gateway().send(content["mobile"], content["text"])
        except SmsError as exc:
            return str(exc)
        return None

    return send
