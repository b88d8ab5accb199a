"""Background jobs of ``sealbridge serve``: the outbox dispatcher, contract expiry.

Started by ``serve`` only — never at import time, in tests or in other
commands — because each process that runs it sends webhooks. Several
processes may run it against one PostgreSQL database: the dispatcher's claims
keep them from sending a message twice (see ``outbox.dispatch``).
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from .outbox.dispatch import dispatch_due
from .services.contracts import expire_due

__all__ = ["start_scheduler"]

logger = logging.getLogger(__name__)


def _dispatch(app: Flask) -> None:
    """One outbox pass; a failure is logged and the next pass tries again."""
    with app.app_context():
        try:
            result = dispatch_due()
        except Exception:
            logger.exception("outbox dispatch failed")
            return
    if result.delivered or result.failed or result.dead:
        logger.info(
            "webhooks: %d delivered, %d to retry, %d dead",
            result.delivered,
            result.failed,
            result.dead,
        )


def _expire(app: Flask) -> None:
    """Expire contracts past their deadline (with their callbacks)."""
    with app.app_context():
        try:
            expired = expire_due()
        except Exception:
            logger.exception("contract expiry failed")
            return
    if expired:
        logger.info("contracts expired: %d", expired)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Run the outbox dispatcher every ``OUTBOX_POLL_SECONDS``; call ``shutdown()``."""
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
    scheduler.add_job(
        _expire,
        "interval",
        seconds=60,
        args=(app,),
        id="contract-expiry",
        max_instances=1,
        coalesce=True,
    )
    scheduler.start()
    return scheduler
