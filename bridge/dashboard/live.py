"""Server-sent events: the viewer's contract events as they are recorded.

Events come from the process's :class:`EventFeed`, which reads
``contract_events`` once every ``DASHBOARD_POLL_SECONDS`` for all streams. A
stream ends after ``DASHBOARD_STREAM_SECONDS`` (a worker thread is never held
for long); the browser's EventSource reconnects with ``Last-Event-ID`` and
continues where it stopped. No transaction stays open between polls.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import current_app

from ..extensions import db
from ..runtime import runtime
from ..services.dashboard import Viewer
from .event_feed import EventFeed

__all__ = ["event_stream"]

KEEPALIVE_SECONDS = 15
PAGE = 100


def _message(event: dict) -> str:
    data = json.dumps(event, ensure_ascii=False)
    return f"id: {event['id']}\nevent: contract\ndata: {data}\n\n"


def event_stream(viewer: Viewer, cursor: int) -> Iterator[str]:
    config = current_app.config
    poll = config["DASHBOARD_POLL_SECONDS"]
    deadline = time.monotonic() + config["DASHBOARD_STREAM_SECONDS"]
    quiet_since = time.monotonic()
    feed = runtime().cached("dashboard-event-feed", lambda: EventFeed(poll))
    yield f"retry: {int(poll * 2000)}\n\n"
    while True:
        events, cursor = feed.after(viewer, cursor, PAGE)  # waits a poll for news
        db.session.close()
        for event in events:
            yield _message(event)
        now = time.monotonic()
        if events:
            quiet_since = now
        elif now - quiet_since >= KEEPALIVE_SECONDS:
            quiet_since = now
            yield ": keepalive\n\n"
        if now >= deadline:
            return
