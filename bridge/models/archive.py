"""The archive (归档): one write-once record per completed contract, searchable.

The record names the archived final revision by its SHA-256 (the document
store is content-addressed, so those bytes cannot change under the name) and
the audit chain head at completion. Only ``status`` may change afterwards
(a contract can still be invalidated); a record cannot be deleted before its
retention ends. The borrower's ID number is indexed only as a keyed hash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from ..errors import ConflictError
from ..extensions import db
from .base import utcnow

__all__ = ["ArchiveRecord"]


class ArchiveRecord(db.Model):
    """A completed contract as archived; the indexes serve the archive search."""

    __tablename__ = "archive_records"
    __table_args__ = (
        # Search answers newest first: every filter is paired with the date.
        Index("ix_archive_tenant_completed", "tenant", "completed_at"),
        Index("ix_archive_category_completed", "category", "completed_at"),
        Index("ix_archive_status_completed", "status", "completed_at"),
        Index("ix_archive_borrower_completed", "borrower_name", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), unique=True)
    tenant: Mapped[str] = mapped_column(String(64))
    """The dealer store that owns the contract."""
    contract_number: Mapped[str] = mapped_column(String(128), index=True)
    """The finance system's number for the contract (bizId)."""
    subject: Mapped[str] = mapped_column(String(256))
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    borrower_name: Mapped[str | None] = mapped_column(String(64))
    borrower_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    """Keyed hash of the borrower's ID number (``identities.id_number_digest``)."""
    document_sha256: Mapped[str] = mapped_column(String(64))
    """The archived final revision."""
    chain_head: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    archived_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    retain_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


_MUTABLE = {"status"}


@event.listens_for(ArchiveRecord, "before_update")
def _write_once(_mapper, _connection, record: ArchiveRecord) -> None:
    state = inspect(record)
    changed = [
        attr.key
        for attr in state.attrs
        if attr.key not in _MUTABLE and attr.history.has_changes()
    ]
    if changed:
        raise ConflictError(
            "An archive record is write-once: "
            + ", ".join(changed)
            + " cannot change.",
            code="archive_immutable",
        )


@event.listens_for(ArchiveRecord, "before_delete")
def _retained(_mapper, _connection, record: ArchiveRecord) -> None:
    retain_until = record.retain_until
    if retain_until.tzinfo is None:
        retain_until = retain_until.replace(tzinfo=utcnow().tzinfo)
    if retain_until > utcnow():
        raise ConflictError(
            f"The archive record of {record.contract_id} is retained until "
            f"{retain_until.date()}.",
            code="archive_retained",
        )
