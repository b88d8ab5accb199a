"""People who may open the dashboard: head office, or one dealer store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

__all__ = ["DashboardUser"]


class DashboardUser(db.Model):
    """A dashboard login: by SMS code to ``mobile``, or by the OA as ``oa_user``.

    ``role`` is ``head_office`` (every tenant) or ``dealer`` (``tenant`` only).
    """

    __tablename__ = "dashboard_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str | None] = mapped_column(String(64))
    oa_user: Mapped[int | None] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow
    )

    @property
    def head_office(self) -> bool:
        return self.role == "head_office"
