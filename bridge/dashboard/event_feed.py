"""One reader of new contract events per process, shared by every live stream.

Each open dashboard holds a stream; if every stream polled ``contract_events``
itself, 1,000 stores watching would cost 1,000 queries a second. Instead the
stream whose turn it is reads every new event once per poll (all tenants),
keeps the latest in memory and wakes the others, which pick out their own
tenant's events. A stream whose cursor lies before what the feed holds (a
reconnect after a long gap, a fresh page) catches up with its own query first.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from ..services.dashboard import Viewer, events_after, last_event_id

__all__ = ["EventFeed"]

EVERYONE = Viewer(head_office=True, tenant=None)


class EventFeed:
    """The newest events of every tenant, read once per poll for all streams."""

    def __init__(self, poll_seconds: float, kept: int = 1000, page: int = 500):
        self.poll_seconds = poll_seconds
        self.page = page
        self._changed = threading.Condition()
        self._events: deque[dict] = deque(maxlen=kept)
        self._floor: int | None = None
        """Every event above this id is in ``_events`` (None: never read)."""
        self._newest = 0
        self._polled_at = float("-inf")
        self._polling = False

    def after(self, viewer: Viewer, cursor: int, limit: int) -> tuple[list[dict], int]:
        """The viewer's events above ``cursor``, and the cursor to ask with next.

        Waits up to one poll when there are none yet. The cursor returned may
        pass ``cursor`` without events: the viewer had none in between.
        """
        with self._changed:
            floor = self._floor
            catching_up = floor is not None and cursor < floor
            if not catching_up:
                found = self._visible(viewer, cursor, limit)
                if found or self._polling or not self._due():
                    if not found:
                        self._changed.wait(self.poll_seconds)
                        found = self._visible(viewer, cursor, limit)
                    return found, found[-1]["id"] if found else cursor
                self._polling = True  # this stream reads for everyone
        if catching_up:
            found = events_after(viewer, cursor, limit)
            # Nothing found: the viewer had nothing up to now, so none to the floor.
            return found, found[-1]["id"] if found else max(cursor, floor)
        self._poll()
        with self._changed:
            found = self._visible(viewer, cursor, limit)
            return found, found[-1]["id"] if found else cursor

    def _due(self) -> bool:
        return time.monotonic() - self._polled_at >= self.poll_seconds

    def _poll(self) -> None:
        """Read every event above the newest held; only the chosen stream does."""
        fresh: list[dict] = []
        start: int | None = None
        try:
            if self._floor is None:  # the first read: the feed starts from now
                start = last_event_id(EVERYONE)
            else:
                fresh = events_after(EVERYONE, self._newest, self.page)
        finally:
            with self._changed:
                if start is not None:
                    self._floor = self._newest = start
                for event in fresh:
                    if len(self._events) == self._events.maxlen:
                        self._floor = self._events[0]["id"]
                    self._events.append(event)
                    self._newest = event["id"]
                self._polled_at = time.monotonic()
                self._polling = False
                self._changed.notify_all()

    def _visible(self, viewer: Viewer, cursor: int, limit: int) -> list[dict]:
        """From memory; none when events above ``cursor`` may have left it."""
        if self._floor is None or cursor < self._floor:
            return []
        found = [
            event
            for event in self._events
            if event["id"] > cursor
            and (viewer.head_office or event["tenant"] == viewer.tenant)
        ]
        return found[:limit]
