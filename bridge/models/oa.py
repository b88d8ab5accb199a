"""OA integration: seal tasks, red headers applied, WS-Security nonces."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

__all__ = ["OaNonce", "OaRedHeader", "SealTask"]


class SealTask(db.Model):
    """A request's documents waiting for an OA user's Stamp at a node.

    ``state`` is ``pending`` (waiting for Stamp), ``sealed`` or ``cancelled``.
    One task per request and node: a node action that runs again gets the
    same task back.
    """

    __tablename__ = "oa_seal_tasks"
    __table_args__ = (UniqueConstraint("request_id", "node"),)

    id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=lambda: uuid.uuid4().hex
    )
    request_id: Mapped[int] = mapped_column(index=True)
    node: Mapped[str] = mapped_column(String(64))
    oa_user: Mapped[int]
    seal_kind: Mapped[str] = mapped_column(String(32))
    document_ids: Mapped[str] = mapped_column(String(512))
    """OA doc ids, comma-separated as the OA's attachment fields hold them."""
    keyword: Mapped[str | None] = mapped_column(String(128))
    signatures: Mapped[list] = mapped_column(JSON, default=list)
    """发文机关署名 of an official document: the seal goes on them and the date."""
    result_field: Mapped[str] = mapped_column(String(64))
    status_field: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    seal_name: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OaRedHeader(db.Model):
    """The red header applied for a request at a node: asked again, same number."""

    __tablename__ = "oa_red_headers"
    __table_args__ = (UniqueConstraint("request_id", "node"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(index=True)
    node: Mapped[str] = mapped_column(String(64))
    doc_number: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )


class OaNonce(db.Model):
    """A WS-Security nonce already accepted from an OA user; again is a replay."""

    __tablename__ = "oa_used_nonces"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
