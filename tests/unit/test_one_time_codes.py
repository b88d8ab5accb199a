"""SMS one-time codes: expiry, single use, lockout, send limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.extensions import db
from bridge.models import OneTimeCode, utcnow
from bridge.services.otp import CodeError, check_code, send_code
from tests.signer_contracts import latest_code

SUBJECT = "signatory:1"


@pytest.fixture
def codes(app):
    """send(now) → the code the dev gateway received."""
    with app.app_context():

        def send(now):
            send_code(SUBJECT, "13853112345", "签署《借款合同》", now=now)
            db.session.commit()
            return latest_code("13853112345")

        yield send


def _error(call) -> CodeError:
    with pytest.raises(CodeError) as caught:
        call()
    return caught.value


def test_a_code_works_once_and_is_stored_only_as_a_hash(codes):
    now = utcnow()
    code = codes(now)
    assert len(code) == 6
    assert code.isdigit()
    row = db.session.get(OneTimeCode, SUBJECT)
    assert code not in (row.code_hash or "")
    check_code(SUBJECT, code, now=now + timedelta(seconds=10))
    db.session.commit()
    assert _error(lambda: check_code(SUBJECT, code, now=now)).code == "otp_missing"


def test_a_code_expires_after_five_minutes(codes):
    now = utcnow()
    code = codes(now)
    late = _error(lambda: check_code(SUBJECT, code, now=now + timedelta(seconds=301)))
    assert late.code == "otp_expired"
    check_code(SUBJECT, code, now=now + timedelta(seconds=299))


def test_five_wrong_codes_lock_for_fifteen_minutes(codes):
    now = utcnow()
    code = codes(now)
    wrong = "000000" if code != "000000" else "111111"
    lefts = [
        _error(lambda: check_code(SUBJECT, wrong, now=now)).details.get("attemptsLeft")
        for _ in range(4)
    ]
    assert lefts == ["4", "3", "2", "1"]
    fifth = _error(lambda: check_code(SUBJECT, wrong, now=now))
    assert (fifth.code, fifth.status) == ("otp_locked", 423)
    # Even the right code is refused while locked, and no new code is sent.
    assert _error(lambda: check_code(SUBJECT, code, now=now)).code == "otp_locked"
    assert _error(lambda: codes(now + timedelta(minutes=14))).code == "otp_locked"
    fresh = codes(now + timedelta(minutes=15, seconds=1))
    check_code(SUBJECT, fresh, now=now + timedelta(minutes=16))


def test_sending_is_limited_per_minute_and_per_hour(codes):
    now = utcnow()
    codes(now)
    again = _error(lambda: codes(now + timedelta(seconds=30)))
    assert (again.code, again.status, again.retry_after) == (
        "otp_rate_limited",
        429,
        30,
    )
    for minute in range(1, 5):
        codes(now + timedelta(minutes=minute))
    hourly = _error(lambda: codes(now + timedelta(minutes=10)))
    assert hourly.code == "otp_rate_limited"
    assert hourly.retry_after == 50 * 60
    codes(now + timedelta(minutes=61))  # the first send has left the window
