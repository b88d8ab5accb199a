"""Official-document records: 发文字号 counters and allocated numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

__all__ = ["DocumentNumber", "DocumentNumberCounter"]


class DocumentNumberCounter(db.Model):
    """The last serial handed out per issuing organ and year (发文字号)."""

    __tablename__ = "doc_number_counters"

    organ_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


class DocumentNumber(db.Model):
    """One allocated document number and what became of it.

    A reserved number is either used by an issued document or recorded as void
    with the reason; it is never handed out twice.
    """

    __tablename__ = "doc_numbers"
    __table_args__ = (UniqueConstraint("organ_code", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    serial: Mapped[int]
    number: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="reserved")
    """reserved, used or void."""
    title: Mapped[str] = mapped_column(String(256))
    void_reason: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
