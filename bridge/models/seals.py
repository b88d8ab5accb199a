"""The seal engine's records: certificates, authorities, seals, usage log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

__all__ = ["Authority", "Certificate", "Seal", "SealUsage"]


class Certificate(db.Model):
    """An X.509 certificate the bridge issued or imported, with its key reference."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    """root, issuing, tsa, seal, or imported / imported_ca for PKCS#12 imports."""
    subject: Mapped[str] = mapped_column(String(512))
    serial_number: Mapped[str] = mapped_column(String(64))
    fingerprint_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    key_ref: Mapped[str | None] = mapped_column(String(128))
    """Where the private key is kept (``file:<id>``); None for chain-only certs."""
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revocation_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    issuer: Mapped[Certificate | None] = relationship(remote_side=[id])


class Authority(db.Model):
    """One of the embedded authorities (root CA, issuing CA, TSA) and its CRL state."""

    __tablename__ = "authorities"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    crl_number: Mapped[int] = mapped_column(default=0)
    crl_der: Mapped[bytes | None] = mapped_column(LargeBinary)
    crl_next_update: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    certificate: Mapped[Certificate] = relationship()


class Seal(db.Model):
    """A named seal: its image, physical size and signing certificate."""

    __tablename__ = "seals"

    id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=lambda: uuid.uuid4().hex
    )
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    company: Mapped[str] = mapped_column(String(128))
    holder: Mapped[str | None] = mapped_column(String(64))
    """The person on a legal-representative or personal seal."""
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    image_source: Mapped[str] = mapped_column(String(16), default="generated")
    width_mm: Mapped[float]
    height_mm: Mapped[float]
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    certificate: Mapped[Certificate] = relationship()


class SealUsage(db.Model):
    """One application of a seal to a document (the seal's usage log)."""

    __tablename__ = "seal_usages"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[str] = mapped_column(ForeignKey("seals.id"), index=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    field_name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))
    placement: Mapped[dict] = mapped_column(JSON)
    input_sha256: Mapped[str] = mapped_column(String(64))
    output_sha256: Mapped[str] = mapped_column(String(64))
