"""发文字号: numbers per issuing organ and year, unique and without gaps.

A number is taken by incrementing the organ's counter row in the same
transaction that records the reservation, so concurrent requests (threads or
processes, SQLite or PostgreSQL) serialise on that row. A reserved number ends
as used or as void with a reason; it is never handed out again.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from red_header import format_doc_number

from ..database import insert_if_missing
from ..errors import ConflictError, InvalidInputError, NotFoundError
from ..extensions import db
from ..models import DocumentNumber, DocumentNumberCounter

__all__ = ["mark_used", "mark_void", "register_number", "reserve_number"]

logger = logging.getLogger(__name__)
_ATTEMPTS = 8


def _insert_counter_if_missing(organ_code: str, year: int) -> None:
    insert_if_missing(
        DocumentNumberCounter, organ_code=organ_code, year=year, last_serial=0
    )


def _next_serial(organ_code: str, year: int) -> int:
    return db.session.execute(
        update(DocumentNumberCounter)
        .where(
            DocumentNumberCounter.organ_code == organ_code,
            DocumentNumberCounter.year == year,
        )
        .values(last_serial=DocumentNumberCounter.last_serial + 1)
        .returning(DocumentNumberCounter.last_serial)
    ).scalar_one()


def _taken(organ_code: str, year: int, serial: int) -> bool:
    return (
        db.session.scalar(
            select(DocumentNumber.id).where(
                DocumentNumber.organ_code == organ_code,
                DocumentNumber.year == year,
                DocumentNumber.serial == serial,
            )
        )
        is not None
    )


def reserve_number(organ_code: str, year: int, title: str) -> DocumentNumber:
    """Take the next number of ``organ_code`` for ``year`` (committed at once)."""
    if not organ_code.strip():
        raise InvalidInputError("organ_code is required.", code="invalid_organ_code")
    for attempt in range(_ATTEMPTS):
        try:
            _insert_counter_if_missing(organ_code, year)
            serial = _next_serial(organ_code, year)
            # A number registered by hand earlier is used, not a gap: skip it.
            while _taken(organ_code, year, serial):
                serial = _next_serial(organ_code, year)
            row = DocumentNumber(
                organ_code=organ_code,
                year=year,
                serial=serial,
                number=format_doc_number(organ_code, year, serial),
                title=title[:256],
            )
            db.session.add(row)
            db.session.commit()
            return row
        except OperationalError as exc:  # SQLite: database is locked
            db.session.rollback()
            logger.warning("number allocation retried after %s", exc.orig)
            time.sleep(0.05 * 2**attempt)
    raise ConflictError("The numbering is too busy; try again.", code="numbering_busy")


def register_number(
    number: str, organ_code: str, year: int, serial: int, title: str
) -> DocumentNumber:
    """Record a number given by hand; a number already on record is a conflict."""
    row = DocumentNumber(
        organ_code=organ_code,
        year=year,
        serial=serial,
        number=number,
        title=title[:256],
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ConflictError(
            f"The document number {number} is already on record.", code="number_taken"
        ) from None
    return row


def _find(number_id: int) -> DocumentNumber:
    row = db.session.get(DocumentNumber, number_id)
    if row is None:
        raise NotFoundError(f"There is no document number {number_id}.")
    return row


def mark_used(number_id: int) -> None:
    _find(number_id).status = "used"
    db.session.commit()


def mark_void(number_id: int, reason: str) -> None:
    """Record that a reserved number will not be used, and why."""
    row = _find(number_id)
    row.status = "void"
    row.void_reason = reason[:256]
    db.session.commit()
