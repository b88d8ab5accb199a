"""SMS one-time codes for willingness (意愿认证) and operator logins.

A code is 6 digits, valid ``OTP_TTL_SECONDS`` (5 minutes), single use, stored
only as a keyed hash. ``OTP_MAX_FAILURES`` (5) wrong codes lock the subject for
``OTP_LOCK_SECONDS`` (15 minutes). Sending is limited to one per
``OTP_MIN_INTERVAL_SECONDS`` and ``OTP_MAX_PER_HOUR`` per hour. ``throttle``
counts other attempts (per client address) in the same rows. Functions take
``now`` so the rules can be checked without waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..domain.validators import check_mobile
from ..errors import BridgeError, InvalidInputError
from ..extensions import db
from ..models import OneTimeCode, OutboxMessage, utcnow
from ..runtime import runtime
from ..sms.outbox import enqueue_sms
from .identities import derived_key

__all__ = [
    "CodeError",
    "check_code",
    "check_login_code",
    "send_code",
    "send_login_code",
    "throttle",
]


class CodeError(BridgeError):
    """A wrong, expired or missing code (422), a lock (423), too many sends (429)."""

    code = "otp_invalid"
    status = 422

    def __init__(
        self, message, *, code=None, status=None, retry_after=None, details=None
    ):
        super().__init__(message, code=code, details=details)
        if status is not None:
            self.status = status
        self.retry_after = retry_after


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _hash(subject: str, code: str) -> str:
    return hmac.new(
        derived_key("otp"), f"{subject}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _row(subject: str) -> OneTimeCode:
    row = db.session.get(OneTimeCode, subject)
    if row is None:
        row = OneTimeCode(subject=subject, failures=0, sent_at=[])
        db.session.add(row)
    return row


def _check_lock(row: OneTimeCode, now: datetime) -> None:
    if row.locked_until is not None and _utc(row.locked_until) > now:
        wait = math.ceil((_utc(row.locked_until) - now).total_seconds())
        raise CodeError(
            f"Too many wrong codes: locked for {math.ceil(wait / 60)} more minutes.",
            code="otp_locked",
            status=423,
            retry_after=wait,
        )


def _last_hour(row: OneTimeCode, now: datetime) -> list[datetime]:
    return [
        moment
        for moment in (datetime.fromisoformat(m) for m in row.sent_at or [])
        if now - moment < timedelta(hours=1)
    ]


def _hourly_limit(
    recent: list[datetime],
    per_hour: int,
    now: datetime,
    what: str,
    code: str = "otp_rate_limited",
) -> None:
    if len(recent) >= per_hour:
        wait = math.ceil((min(recent) + timedelta(hours=1) - now).total_seconds())
        raise CodeError(
            f"Too many {what} this hour.",
            code=code,
            status=429,
            retry_after=wait,
        )


def throttle(
    key: str,
    per_hour: int,
    *,
    now: datetime | None = None,
    code: str = "otp_rate_limited",
) -> None:
    """Count one attempt against ``key`` (``login-code-ip:<address>``) — NOT committed.

    :raises CodeError: 429 with ``code`` once ``per_hour`` attempts were counted
        in the hour.
    """
    now = now or utcnow()
    row = _row(key)
    recent = _last_hour(row, now)
    _hourly_limit(recent, per_hour, now, "attempts from this address", code)
    row.sent_at = [m.isoformat() for m in recent] + [now.isoformat()]


def _limit_per_address(kind: str, client_ip: str, per_hour_key: str) -> None:
    throttle(f"login-{kind}-ip:{client_ip}", runtime().config[per_hour_key])


def send_login_code(
    mobile: str, client_ip: str, *, subject: str, use: str, known: Callable[[], bool]
) -> int | None:
    """Text a login code if ``known()``; None (and no SMS) for anyone else.

    The answer looks the same either way, and requests are counted per client
    address first, so one client can neither probe nor text every mobile.
    """
    if check_mobile(mobile):
        raise InvalidInputError(
            "Enter an 11-digit mobile number.", code="invalid_request"
        )
    _limit_per_address("code", client_ip, "LOGIN_CODES_PER_IP_PER_HOUR")
    message = send_code(subject, mobile, use) if known() else None
    db.session.commit()
    return message.id if message is not None else None


def check_login_code(subject: str, code: str, client_ip: str) -> None:
    """Check a login code; attempts are counted per client address, right or wrong."""
    _limit_per_address("try", client_ip, "LOGIN_TRIES_PER_IP_PER_HOUR")
    db.session.commit()  # counted whatever the code check says
    check_code(subject, code)


def send_code(
    subject: str, mobile: str, use: str, *, now: datetime | None = None
) -> OutboxMessage:
    """Make a new code and enqueue its SMS — NOT committed.

    :param use: what the code is for, in the text: ``签署《借款合同》``.
    """
    config = runtime().config
    now = now or utcnow()
    row = _row(subject)
    _check_lock(row, now)
    recent = _last_hour(row, now)
    interval = timedelta(seconds=config["OTP_MIN_INTERVAL_SECONDS"])
    if recent and now - max(recent) < interval:
        wait = math.ceil((max(recent) + interval - now).total_seconds())
        raise CodeError(
            f"A code was just sent; ask again in {wait} s.",
            code="otp_rate_limited",
            status=429,
            retry_after=wait,
        )
    _hourly_limit(recent, config["OTP_MAX_PER_HOUR"], now, "codes")
    code = f"{secrets.randbelow(10**6):06d}"
    row.code_hash = _hash(subject, code)
    row.expires_at = now + timedelta(seconds=config["OTP_TTL_SECONDS"])
    row.sent_at = [m.isoformat() for m in recent] + [now.isoformat()]
    minutes = config["OTP_TTL_SECONDS"] // 60
    text = (
        f"{config['SMS_SIGNATURE']}验证码 {code}，用于{use}，"
        f"{minutes}分钟内有效。请勿告诉他人。"
    )
    return enqueue_sms(mobile, text, "otp")


def check_code(subject: str, code: str, *, now: datetime | None = None) -> None:
    """Accept ``code`` once (the caller commits), or raise :class:`CodeError`.

    A wrong code is counted and committed at once — the caller's transaction
    will roll back, the count must not.
    """
    config = runtime().config
    now = now or utcnow()
    row = _row(subject)
    _check_lock(row, now)
    if row.code_hash is None or row.expires_at is None:
        raise CodeError("Ask for a code first.", code="otp_missing")
    if _utc(row.expires_at) < now:
        raise CodeError("The code has expired; ask for a new one.", code="otp_expired")
    given = code.strip() if isinstance(code, str) else ""
    if hmac.compare_digest(_hash(subject, given), row.code_hash):
        row.code_hash = row.expires_at = None
        row.failures = 0
        return
    row.failures += 1
    left = config["OTP_MAX_FAILURES"] - row.failures
    if left <= 0:
        row.failures = 0
        row.code_hash = None
        row.locked_until = now + timedelta(seconds=config["OTP_LOCK_SECONDS"])
    db.session.commit()
    if left <= 0:
        _check_lock(row, now)
    raise CodeError(
        f"The code is wrong; {left} attempts left.",
        code="otp_invalid",
        details={"attemptsLeft": str(left)},
    )
