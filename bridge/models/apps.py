"""Apps of the finance system: credentials, webhook secrets, nonces seen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

__all__ = ["ApiApp", "UsedNonce", "WebhookSecret"]


class ApiApp(db.Model):
    """A caller of ``/api/v1``: one per dealer store, one for head office.

    Its secret signs requests (HMAC-SHA256, see docs/api.md) and is stored
    encrypted with the master key (``runtime().secrets``), never in clear.
    """

    __tablename__ = "api_apps"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    """The dealer store's code; ``*`` for head office."""
    app_key: Mapped[str] = mapped_column(String(32), unique=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    callback_url: Mapped[str | None] = mapped_column(String(1024))
    head_office: Mapped[bool] = mapped_column(default=False)
    """Head office sees every tenant's contracts and may operate the outbox."""
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookSecret(db.Model):
    """A secret that signs the app's webhooks; several are active while rotating."""

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("api_apps.id"), index=True)
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UsedNonce(db.Model):
    """A request nonce already accepted; a second request with it is a replay.

    Rows older than twice the timestamp tolerance are purged: a request that
    old is rejected for its timestamp before its nonce is looked at.
    """

    __tablename__ = "used_nonces"

    app_id: Mapped[int] = mapped_column(ForeignKey("api_apps.id"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
