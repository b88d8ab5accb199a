"""Contracts (签署流程): documents with revisions, signatories, the audit chain."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

__all__ = [
    "Contract",
    "ContractDocument",
    "ContractEvent",
    "DocumentRevision",
    "Signatory",
]


class Contract(db.Model):
    """One signing process: what is signed, by whom, in which order, and its state."""

    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("app_id", "biz_id"),)

    id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=lambda: uuid.uuid4().hex
    )
    app_id: Mapped[int] = mapped_column(ForeignKey("api_apps.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    biz_id: Mapped[str] = mapped_column(String(128))
    """The caller's idempotency key, unique per app."""
    request_hash: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(256))
    category: Mapped[str] = mapped_column(String(32), index=True)
    template: Mapped[str | None] = mapped_column(String(64))
    parameters: Mapped[dict | None] = mapped_column(JSON)
    business_data: Mapped[dict | None] = mapped_column(JSON)
    """Echoed back in every callback."""
    status: Mapped[str] = mapped_column(String(16), index=True, default="DRAFT")
    status_reason: Mapped[str | None] = mapped_column(String(512))
    borrower_name: Mapped[str | None] = mapped_column(String(64), index=True)
    borrower_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    """Keyed hash of the borrower's ID number: searchable, never the number."""
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), index=True
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archive_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), index=True
    )
    """When the certificate of the signed PDF's newest document timestamp expires."""
    reminders: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    documents: Mapped[list[ContractDocument]] = relationship(
        order_by="ContractDocument.id", back_populates="contract"
    )
    signatories: Mapped[list[Signatory]] = relationship(
        order_by="Signatory.position", back_populates="contract"
    )


class ContractDocument(db.Model):
    """A PDF of the contract; every change is a new revision."""

    __tablename__ = "contract_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    title: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16), default="contract")
    """contract, or invalidation (作废) for the signed invalidation document."""
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    contract: Mapped[Contract] = relationship(back_populates="documents")
    revisions: Mapped[list[DocumentRevision]] = relationship(
        order_by="DocumentRevision.number", back_populates="document"
    )

    @property
    def current(self) -> DocumentRevision:
        return self.revisions[-1]


class DocumentRevision(db.Model):
    """One stored state of a document, addressed by its SHA-256."""

    __tablename__ = "document_revisions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("contract_documents.id"), index=True
    )
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    reason: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    document: Mapped[ContractDocument] = relationship(back_populates="revisions")


class Signatory(db.Model):
    """A party that signs: a person or a company, with its turn and its actions."""

    __tablename__ = "signatories"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    position: Mapped[int]
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    """PERSONAL or COMPANY."""
    name: Mapped[str] = mapped_column(String(128))
    id_number_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    mobile: Mapped[str | None] = mapped_column(String(16))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    routing_order: Mapped[int]
    actions: Mapped[list] = mapped_column(JSON)
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    placement: Mapped[dict] = mapped_column(JSON)
    """Where the signature goes: a keyword, or page coordinates."""
    status: Mapped[str] = mapped_column(String(16), default="WAITING")
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seal_id: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(512))

    contract: Mapped[Contract] = relationship(back_populates="signatories")


class ContractEvent(db.Model):
    """Append-only audit entry; ``hash = sha256(prev_hash + canonical event)``."""

    __tablename__ = "contract_events"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
