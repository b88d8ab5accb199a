"""Background work of a serving process: what runs, how often, and the timers.

Started by ``sealbridge serve`` and by gunicorn's worker hook
(``bridge.gunicorn_config``) — never at import time, in tests or in other
commands. Every process dispatches the outbox (claims keep two processes from
sending one message, see ``outbox.dispatch``); every other job runs once for
the whole cluster each time it is due (see ``services.jobs``).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.exc import OperationalError

from .outbox.dispatch import dispatch_due
from .services.contracts import expire_due, refresh_archive_timestamps, remind_due
from .services.housekeeping import clean_up
from .services.jobs import Job, run_job

__all__ = ["JOBS", "start_scheduler"]

logger = logging.getLogger(__name__)


JOBS: tuple[Job, ...] = (
    Job(
        "contract-expiry",
        lambda config: 60,
        lambda now: f"{expire_due(now)} contracts expired",
    ),
    Job(
        "signing-reminders",
        lambda config: config["REMINDER_CHECK_SECONDS"],
        lambda now: f"{remind_due(now)} contracts reminded",
    ),
    Job(
        "archive-timestamps",
        lambda config: 86400,
        refresh_archive_timestamps,
    ),
    Job(
        "clean-up",
        lambda config: 3600,
        lambda now: ", ".join(f"{n} {kind}" for kind, n in clean_up(now).items()),
    ),
)


# One pass sends at most this many messages; a full pass is followed by another
# at once, for up to _DRAIN_SECONDS, so a backlog (a receiver back after an
# outage) drains in minutes, not at one batch per poll.
_BATCH = 20
_DRAIN_SECONDS = 30.0


def _dispatch(app: Flask) -> None:
    """Outbox passes until it is empty; a failure is logged, the next poll retries."""
    started = time.monotonic()
    with app.app_context():
        while True:
            try:
                result = dispatch_due(limit=_BATCH)
            except OperationalError as exc:  # the database is away: next poll
                logger.warning("outbox dispatch: %s", str(exc).splitlines()[0])
                return
            except Exception:
                logger.exception("outbox dispatch failed")
                return
            sent = result.delivered + result.failed + result.dead
            if sent:
                logger.info(
                    "outbox: %d delivered, %d to retry, %d dead",
                    result.delivered,
                    result.failed,
                    result.dead,
                )
            if sent < _BATCH or time.monotonic() - started > _DRAIN_SECONDS:
                return


def _run(app: Flask, job: Job) -> None:
    with app.app_context():
        try:
            run = run_job(job, app.config, datetime.now(UTC))
        except OperationalError as exc:  # the database is away: next time
            logger.warning("job %s: %s", job.name, str(exc).splitlines()[0])
            return
    if run is not None and run.ok:
        logger.info("job %s: %s", job.name, run.detail)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the timers of this process; call ``shutdown()`` on the result."""
    # APScheduler logs every run at INFO: twice every two seconds.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    scheduler.add_job(
        _dispatch,
        "interval",
        seconds=app.config["OUTBOX_POLL_SECONDS"],
        args=(app,),
        id="outbox-dispatch",
        max_instances=1,
        coalesce=True,
    )
    for job in JOBS:
        # Every node checks often; the lease decides who runs and when.
        scheduler.add_job(
            _run,
            "interval",
            seconds=min(30.0, job.every_seconds(app.config)),
            args=(app, job),
            id=job.name,
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    return scheduler
