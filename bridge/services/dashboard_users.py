"""Dashboard users: who they are, and their logins by SMS code or OA ticket.

A login code goes only to a known user's mobile (anyone else gets the same
answer and no SMS); codes follow :mod:`bridge.services.otp` (limits, locks).
An OA ticket names an OA user id that ``--oa-user`` tied to a dashboard user;
each ticket opens one session only.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from oa_plugin.ticket import TicketError, read_login_ticket

from ..domain.validators import check_mobile
from ..errors import AuthenticationError, ConflictError, InvalidInputError
from ..extensions import db
from ..models import DashboardUser, OaNonce
from . import otp
from .oa_settings import require

__all__ = ["ROLES", "add_user", "log_in", "log_in_by_ticket", "send_login_code"]

ROLES = ("head_office", "dealer")


def _problems(mobile: str, name: str, role: str, tenant: str | None) -> dict:
    problems = {}
    if problem := check_mobile(mobile):
        problems["mobile"] = problem
    if not name.strip():
        problems["name"] = "is required"
    if role not in ROLES:
        problems["role"] = f"is one of {', '.join(ROLES)}"
    elif role == "dealer" and not (tenant or "").strip():
        problems["tenant"] = "is required for a dealer"
    elif role == "head_office" and tenant:
        problems["tenant"] = "is for dealers only (head office sees every tenant)"
    return problems


def add_user(
    mobile: str, name: str, role: str, tenant: str | None, oa_user: int | None = None
) -> DashboardUser:
    if problems := _problems(mobile, name, role, tenant):
        raise InvalidInputError(
            "The dashboard user is not valid.", code="invalid_request", details=problems
        )
    same = DashboardUser.mobile == mobile
    if oa_user is not None:
        same = same | (DashboardUser.oa_user == oa_user)
    if db.session.scalar(select(DashboardUser).where(same)):
        raise ConflictError(
            f"{mobile} (or OA user {oa_user}) has a dashboard login already.",
            code="dashboard_user_exists",
        )
    user = DashboardUser(
        mobile=mobile,
        name=name.strip(),
        role=role,
        tenant=(tenant or "").strip() or None,
        oa_user=oa_user,
    )
    db.session.add(user)
    db.session.commit()
    return user


def _subject(mobile: str) -> str:
    return f"dashboard:{mobile}"


def send_login_code(mobile: str, client_ip: str) -> int | None:
    """Text a login code to a known user; None (and no SMS) for anyone else."""
    return otp.send_login_code(
        mobile,
        client_ip,
        subject=_subject(mobile),
        use="登录签约看板",
        known=lambda: (
            db.session.scalar(
                select(DashboardUser).where(DashboardUser.mobile == mobile)
            )
            is not None
        ),
    )


def log_in(mobile: str, code: str, client_ip: str) -> DashboardUser:
    otp.check_login_code(_subject(mobile or ""), code, client_ip)
    user = db.session.scalar(
        select(DashboardUser).where(DashboardUser.mobile == mobile)
    )
    if user is None:  # a code was checked, so the user was removed since
        raise AuthenticationError("Unknown dashboard user.", code="login_required")
    db.session.commit()
    return user


def log_in_by_ticket(text: str) -> DashboardUser:
    """The user an OA login ticket names; a replayed ticket is refused."""
    try:
        ticket = read_login_ticket(require("ticket_secret"), text)
    except TicketError as exc:
        raise AuthenticationError(str(exc), code="invalid_ticket") from exc
    user = db.session.scalar(
        select(DashboardUser).where(DashboardUser.oa_user == ticket.user)
    )
    if user is None:
        raise AuthenticationError(
            f"OA user {ticket.user} has no dashboard login.", code="invalid_ticket"
        )
    used = f"dashboard:{ticket.user}", ticket.nonce
    if db.session.get(OaNonce, used) is not None:
        raise AuthenticationError("The ticket was used already.", code="invalid_ticket")
    db.session.add(OaNonce(username=used[0], nonce=used[1]))
    try:
        db.session.commit()
    except IntegrityError:  # the same ticket, twice at once
        db.session.rollback()
        raise AuthenticationError(
            "The ticket was used already.", code="invalid_ticket"
        ) from None
    return user
