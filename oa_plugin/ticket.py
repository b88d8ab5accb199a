"""Stamp tickets: who may stamp which OA request at which node, until when.

The OA form (server side, where the shared secret lives — never in the
browser script) signs a ticket; the bridge's stamp page verifies it. A ticket
is ``base64url(JSON claims) "." base64url(HMAC-SHA256)`` and lives minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

__all__ = ["Ticket", "TicketError", "make_ticket", "read_ticket"]

DEFAULT_TTL_SECONDS = 300


class TicketError(ValueError):
    """The ticket is malformed, forged or expired."""


@dataclass(frozen=True)
class Ticket:
    user: int
    request_id: int
    node: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def make_ticket(
    secret: str,
    user: int,
    request_id: int,
    node: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> str:
    expires = int((time.time() if now is None else now) + ttl)
    claims = {"u": user, "r": request_id, "n": node, "e": expires}
    payload = _b64(json.dumps(claims, ensure_ascii=False).encode())
    return f"{payload}.{_mac(secret, payload)}"


def read_ticket(secret: str, ticket: str, now: float | None = None) -> Ticket:
    payload, _, mac = (ticket or "").partition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise TicketError("The stamp ticket is not valid.")
    try:
        claims = json.loads(_unb64(payload))
        result = Ticket(
            int(claims["u"]), int(claims["r"]), str(claims["n"]), int(claims["e"])
        )
    except (ValueError, KeyError, TypeError):
        raise TicketError("The stamp ticket is not valid.") from None
    if result.expires < (time.time() if now is None else now):
        raise TicketError("The stamp ticket has expired; reopen the form.")
    return result
