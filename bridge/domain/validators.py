"""Checks of the identifiers Chinese finance documents carry.

Each ``check_*`` returns ``None`` for a valid value and otherwise one short
English line saying what is wrong, so that callers can report every field at
once. The check characters follow the national standards: GB 11643-1999
(resident ID, ISO 7064 MOD 11-2), GB 32100-2015 (unified social credit code,
mod 31) and GB 16735 / ISO 3779 (VIN, check digit in position 9).
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "check_credit_code",
    "check_id_number",
    "check_mobile",
    "check_person_name",
    "check_vin",
    "mask_id_number",
]

_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_ID_CHECK = "10X98765432"

_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(
    f"[{_CREDIT_CHARSET}]{{2}}[0-9]{{6}}[{_CREDIT_CHARSET}]{{10}}"
)

_VIN_VALUES = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_PERSON_NAME = re.compile(f"[{_HAN}]+(?:·[{_HAN}]+)*")


def check_id_number(value: object, *, today: date | None = None) -> str | None:
    """An 18-character resident ID number (GB 11643-1999); a final ``x`` is accepted.

    :param today: the day birth dates may not follow (default: today).
    """
    if not isinstance(value, str):
        return "must be a string"
    number = value.upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return "must be 17 digits followed by a digit or X"
    if number[0] not in "12345678":
        return "region code is not valid"
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth date is not a valid date"
    if birth.year < 1900 or birth > (today or date.today()):
        return "birth date is out of range"
    total = sum(
        int(digit) * weight
        for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True)
    )
    if _ID_CHECK[total % 11] != number[17]:
        return "check digit is wrong"
    return None


def check_mobile(value: object) -> str | None:
    """A mainland mobile number: 11 digits starting 13–19."""
    if not isinstance(value, str):
        return "must be a string"
    if not re.fullmatch(r"[0-9]{11}", value):
        return "must be 11 digits"
    if not _MOBILE.fullmatch(value):
        return "is not a mobile number (13x–19x)"
    return None


def check_credit_code(value: object) -> str | None:
    """An 18-character unified social credit code (GB 32100-2015)."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) != 18 or not _CREDIT_SHAPE.fullmatch(value):
        return (
            "must be 18 characters of 0-9 and capitals except I, O, S, V, Z, "
            "with a 6-digit region code in positions 3-8"
        )
    total = sum(
        _CREDIT_CHARSET.index(char) * weight
        for char, weight in zip(value[:17], _CREDIT_WEIGHTS, strict=True)
    )
    if _CREDIT_CHARSET[-total % 31] != value[17]:
        return "check character is wrong"
    return None


def check_vin(value: object) -> str | None:
    """A 17-character VIN whose position 9 is its ISO 3779 check digit."""
    if not isinstance(value, str):
        return "must be a string"
    if len(value) != 17 or any(char not in _VIN_VALUES for char in value):
        return "must be 17 digits and capital letters other than I, O and Q"
    total = sum(
        _VIN_VALUES[char] * w for char, w in zip(value, _VIN_WEIGHTS, strict=True)
    )
    if "0123456789X"[total % 11] != value[8]:
        return "check digit (position 9) is wrong"
    return None


def check_person_name(value: object) -> str | None:
    """2–20 Chinese characters; ``·`` may join the parts of a minority name."""
    if not isinstance(value, str):
        return "must be a string"
    if not 2 <= len(value) <= 20:
        return "must be 2 to 20 characters"
    if not _PERSON_NAME.fullmatch(value):
        return "must be Chinese characters (parts may be joined by ·)"
    return None


def mask_id_number(value: str) -> str:
    """``370102********1234``: enough to recognise a person, not to impersonate."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
