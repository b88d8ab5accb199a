"""Stamp tickets: who may stamp which OA request at which node, until when.

The OA form (server side, where the shared secret lives — never in the
browser script) signs a ticket; the bridge's stamp page verifies it. A ticket
is ``base64url(JSON claims) "." base64url(HMAC-SHA256)`` and lives minutes.

The same scheme and secret sign dashboard logins (single sign-on): their
claims carry ``"k": "dashboard"`` and no request, so neither kind of ticket
is accepted as the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass

__all__ = [
    "LoginTicket",
    "Ticket",
    "TicketError",
    "make_login_ticket",
    "make_ticket",
    "read_login_ticket",
    "read_ticket",
]

DEFAULT_TTL_SECONDS = 300


class TicketError(ValueError):
    """The ticket is malformed, forged or expired."""


@dataclass(frozen=True)
class Ticket:
    user: int
    request_id: int
    node: str
    expires: int


@dataclass(frozen=True)
class LoginTicket:
    """An OA user opening the bridge's dashboard; ``nonce`` makes it single use."""

    user: int
    nonce: str
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def _sign(secret: str, claims: dict) -> str:
    payload = _b64(json.dumps(claims, ensure_ascii=False).encode())
    return f"{payload}.{_mac(secret, payload)}"


def _expiry(ttl: int, now: float | None) -> int:
    return int((time.time() if now is None else now) + ttl)


def _claims(secret: str, ticket: str, now: float | None, build):
    """Check the MAC, build the ticket from the claims, check the expiry."""
    payload, _, mac = (ticket or "").partition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise TicketError("The ticket is not valid.")
    try:
        result = build(json.loads(_unb64(payload)))
    except (ValueError, KeyError, TypeError):
        raise TicketError("The ticket is not valid.") from None
    if result.expires < (time.time() if now is None else now):
        raise TicketError("The ticket has expired; open it again from the OA.")
    return result


def make_ticket(
    secret: str,
    user: int,
    request_id: int,
    node: str,
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
) -> str:
    claims = {"u": user, "r": request_id, "n": node, "e": _expiry(ttl, now)}
    return _sign(secret, claims)


def read_ticket(secret: str, ticket: str, now: float | None = None) -> Ticket:
    return _claims(
        secret,
        ticket,
        now,
        lambda c: Ticket(int(c["u"]), int(c["r"]), str(c["n"]), int(c["e"])),
    )


def make_login_ticket(
    secret: str, user: int, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None
) -> str:
    """A dashboard login for OA user ``user`` (made on the OA server)."""
    claims = {"k": "dashboard", "u": user, "j": _b64(os.urandom(12))}
    return _sign(secret, claims | {"e": _expiry(ttl, now)})


def _login(claims: dict) -> LoginTicket:
    if claims.get("k") != "dashboard":
        raise ValueError("not a login ticket")
    return LoginTicket(int(claims["u"]), str(claims["j"]), int(claims["e"]))


def read_login_ticket(
    secret: str, ticket: str, now: float | None = None
) -> LoginTicket:
    return _claims(secret, ticket, now, _login)
