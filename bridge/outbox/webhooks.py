"""The wire format of webhooks: body, headers, HMAC signatures and their check.

No Flask, no database: receivers (tests, examples) verify with the same code.

Headers of every delivery::

    X-SB-Event-Id:    the event's id, the same on every retry (deduplicate on it)
    X-SB-Event-Type:  e.g. contract.completed
    X-SB-Timestamp:   Unix seconds when this attempt was signed
    X-SB-Signature:   v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>
                      one comma-separated v1= per active secret (rotation)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

__all__ = [
    "EVENT_ID_HEADER",
    "EVENT_TYPE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "event_body",
    "signature_headers",
    "verify_webhook",
]

EVENT_ID_HEADER = "X-SB-Event-Id"
EVENT_TYPE_HEADER = "X-SB-Event-Type"
TIMESTAMP_HEADER = "X-SB-Timestamp"
SIGNATURE_HEADER = "X-SB-Signature"
_SCHEME = "v1="


def event_body(
    event_id: str, event_type: str, occurred_at: datetime, data: dict
) -> bytes:
    """The JSON envelope ``{"event_id", "event_type", "occurred_at", "data"}``."""
    if occurred_at.tzinfo is None:  # SQLite drops the zone; the bridge keeps UTC
        occurred_at = occurred_at.replace(tzinfo=UTC)
    envelope = {
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": occurred_at.astimezone(UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


def _hmac_hex(secret: str, timestamp: str, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_headers(
    secrets: Iterable[str],
    timestamp: int,
    body: bytes,
    *,
    event_id: str | None = None,
    event_type: str | None = None,
) -> dict[str, str]:
    """The headers of one delivery, signed with every active secret."""
    headers = {}
    if event_id is not None:
        headers[EVENT_ID_HEADER] = event_id
    if event_type is not None:
        headers[EVENT_TYPE_HEADER] = event_type
    headers[TIMESTAMP_HEADER] = str(timestamp)
    headers[SIGNATURE_HEADER] = ",".join(
        _SCHEME + _hmac_hex(secret, str(timestamp), body) for secret in secrets
    )
    return headers


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Iterable[str],
    tolerance: int = 300,
    now: float | None = None,
) -> bool:
    """Whether a delivery is authentic and fresh, for the receiver.

    True when the timestamp is within ``tolerance`` seconds of ``now`` and one
    ``v1=`` signature matches one of ``secrets`` (the receiver's current and,
    while rotating, previous secret). ``headers`` may be any mapping; names are
    matched case-insensitively. ``body`` must be the raw bytes received.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    offered = [
        part.strip()[len(_SCHEME) :]
        for part in lowered.get(SIGNATURE_HEADER.lower(), "").split(",")
        if part.strip().startswith(_SCHEME)
    ]
    expected = [_hmac_hex(secret, timestamp, body) for secret in secrets]
    return any(
        hmac.compare_digest(mine.encode(), theirs.encode())
        for mine in expected
        for theirs in offered
    )
