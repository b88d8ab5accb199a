"""Scheduled work that runs once for the whole cluster, and its record.

Every node's scheduler fires every job; the node that first moves the job's
``next_run_at`` past now runs it, the others skip. A node that dies mid-run
leaves the job due again at its next interval. Each run's outcome is kept for
operators (``GET /api/v1/jobs``, ``sealbridge jobs list``).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ..database import insert_if_missing
from ..errors import NotFoundError
from ..extensions import db
from ..models import ScheduledJob, utcnow

__all__ = ["Job", "JobRun", "find_job", "job_states", "node_name", "run_job"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A job: its name, how often (seconds, from the config), what it does.

    ``work(now)`` returns a one-line summary of what it did.
    """

    name: str
    every_seconds: Callable[[dict], float]
    work: Callable[[datetime], str]


def node_name() -> str:
    """This process as operators see it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(job: Job, interval: timedelta, now: datetime, force: bool) -> bool:
    insert_if_missing(ScheduledJob, name=job.name, runs=0, failures=0)
    due = or_(ScheduledJob.next_run_at.is_(None), ScheduledJob.next_run_at <= now)
    won = db.session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name, *(() if force else (due,)))
        .values(
            next_run_at=now + interval,
            last_node=node_name(),
            last_started_at=now,
            runs=ScheduledJob.runs + 1,
        )
    )
    db.session.commit()
    return won.rowcount == 1


@dataclass(frozen=True)
class JobRun:
    ok: bool
    detail: str


def run_job(
    job: Job, config: dict, now: datetime | None = None, *, force: bool = False
) -> JobRun | None:
    """Run ``job`` if it is due and this node wins it; None when it does not.

    A failure is logged and recorded, not raised: the next run tries again.

    :param force: run now even if it is not due (an operator's ``jobs run``).
    """
    now = now or utcnow()
    interval = timedelta(seconds=job.every_seconds(config))
    if not _claim(job, interval, now, force):
        return None
    started = time.monotonic()
    try:
        summary = job.work(now)
    except Exception as exc:
        db.session.rollback()
        logger.exception("job %s failed", job.name)
        run = JobRun(False, f"{type(exc).__name__}: {exc}")
    else:
        run = JobRun(True, f"{summary} ({(time.monotonic() - started) * 1000:.0f} ms)")
    values = {
        "last_finished_at": utcnow(),
        "last_outcome": "ok" if run.ok else "failed",
        "last_detail": run.detail[:512],
    }
    if not run.ok:
        values["failures"] = ScheduledJob.failures + 1
    db.session.execute(
        update(ScheduledJob).where(ScheduledJob.name == job.name).values(**values)
    )
    db.session.commit()
    return run


def job_states(jobs: tuple[Job, ...]) -> list[dict]:
    """Every job with its schedule and last run, for operators."""
    rows = {r.name: r for r in db.session.scalars(select(ScheduledJob))}
    states = []
    for job in jobs:
        row = rows.get(job.name)
        states.append(
            {
                "name": job.name,
                "nextRunAt": _iso(row.next_run_at if row else None),
                "lastNode": row.last_node if row else None,
                "lastStartedAt": _iso(row.last_started_at if row else None),
                "lastFinishedAt": _iso(row.last_finished_at if row else None),
                "lastOutcome": row.last_outcome if row else None,
                "lastDetail": row.last_detail if row else None,
                "runs": row.runs if row else 0,
                "failures": row.failures if row else 0,
            }
        )
    return states


def find_job(jobs: tuple[Job, ...], name: str) -> Job:
    for job in jobs:
        if job.name == name:
            return job
    known = ", ".join(job.name for job in jobs)
    raise NotFoundError(
        f"There is no job {name!r} (known: {known}).", code="unknown_job"
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
