"""Signers on their phones: links, identity checks, one-time codes, operators, SMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .contracts import Signatory
from .seals import Certificate, Seal

__all__ = [
    "DevSmsMessage",
    "OneTimeCode",
    "Operator",
    "SealAuthorization",
    "SignerIdentity",
    "SigningLink",
]


class SigningLink(db.Model):
    """``/s/<token>`` for one signatory; only the token's SHA-256 is kept."""

    __tablename__ = "signing_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contract_id: Mapped[str] = mapped_column(ForeignKey("contracts.id"), index=True)
    signatory_id: Mapped[int] = mapped_column(ForeignKey("signatories.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(64))

    signatory: Mapped[Signatory] = relationship()


class SignerIdentity(db.Model):
    """A person's real-name verification and the event certificate it earned."""

    __tablename__ = "signer_identities"

    signatory_id: Mapped[int] = mapped_column(
        ForeignKey("signatories.id"), primary_key=True
    )
    method: Mapped[str] = mapped_column(String(32))
    provider_reference: Mapped[str] = mapped_column(String(128))
    verified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))

    certificate: Mapped[Certificate] = relationship()


class OneTimeCode(db.Model):
    """The current SMS code of one subject (a signatory, an operator's mobile).

    Only the code's keyed hash is stored. ``failures`` counts wrong codes since
    the last success or lock; ``sent_at`` holds the send times of the last
    hour for the rate limit.
    """

    __tablename__ = "one_time_codes"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[list] = mapped_column(db.JSON, default=list)


class Operator(db.Model):
    """A dealer-store employee who seals for their company after an SMS login."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    company: Mapped[str] = mapped_column(String(128), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    """The company's unified social credit code: how contracts are matched, when
    known (names get written differently); else by ``company``."""
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    authorizations: Mapped[list[SealAuthorization]] = relationship(
        back_populates="operator"
    )


class SealAuthorization(db.Model):
    """Head office lets an operator use one of their company's seals."""

    __tablename__ = "seal_authorizations"
    __table_args__ = (UniqueConstraint("operator_id", "seal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    seal_id: Mapped[str] = mapped_column(ForeignKey("seals.id"), index=True)
    granted_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    operator: Mapped[Operator] = relationship(back_populates="authorizations")
    seal: Mapped[Seal] = relationship()


class DevSmsMessage(db.Model):
    """What the development SMS gateway "sent" (shown at /dev/sms in demo mode)."""

    __tablename__ = "dev_sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
