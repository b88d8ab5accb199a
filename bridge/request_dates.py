"""Dates in query strings and forms (``2026-11-29``), read one way everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from .errors import InvalidInputError

__all__ = ["read_day"]


def read_day(
    fields: Mapping[str, str], key: str, *, code: str = "invalid_request"
) -> date | None:
    """``fields[key]`` as a date, None when absent or blank.

    :raises InvalidInputError: ``code``, naming the field, for anything else —
        including 9999-12-31, whose next day (a range's end) does not exist.
    """
    text = (fields.get(key) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
        if day == date.max:
            raise ValueError(text)
    except ValueError:
        raise InvalidInputError(
            f"{key} must be a date like 2026-11-29.",
            code=code,
            details={key: "a date like 2026-11-29"},
        ) from None
    return day
