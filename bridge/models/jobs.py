"""Scheduled jobs: one row per job, its cluster-wide lease and its last run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ScheduledJob(db.Model):
    """A job that runs once for the whole cluster each time it is due.

    A node runs the job only if it moves ``next_run_at`` forward first (a
    conditional update), so of the nodes whose timers fire, one wins.
    """

    __tablename__ = "scheduled_jobs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_node: Mapped[str | None] = mapped_column(String(128))
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_outcome: Mapped[str | None] = mapped_column(String(16))
    last_detail: Mapped[str | None] = mapped_column(String(512))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
