"""Two nodes on one PostgreSQL: every callback goes out once, by one of them."""

from __future__ import annotations

import collections
import time

import pytest

from bridge.extensions import db
from bridge.outbox import enqueue
from bridge.services.apps import find_app
from tests.cluster.conftest import make_app
from tests.instances import app_context_of
from tests.nodes import BridgeNode
from tests.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MESSAGES = 300


def test_two_nodes_dispatch_each_message_exactly_once(cluster_home):
    receiver = WebhookReceiver(delay=0.01)
    try:
        key, _ = make_app(cluster_home, callback_url=receiver.url)
        with BridgeNode(cluster_home) as first, BridgeNode(cluster_home) as second:
            assert first.url != second.url
            with app_context_of(cluster_home):
                api_app = find_app(key)
                sent = [
                    enqueue(api_app, "contract.sent", {"n": n}, subject_id=f"C{n}")
                    for n in range(MESSAGES)
                ]
                db.session.commit()
                expected = {message.event_id for message in sent}
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and len(receiver.deliveries) < MESSAGES:
                time.sleep(0.5)
            time.sleep(3)  # a second delivery of anything would arrive by now
        counts = collections.Counter(receiver.event_ids())
        assert set(counts) == expected
        assert max(counts.values()) == 1
        senders = {d.headers["User-Agent"] for d in receiver.deliveries}
        assert len(senders) >= 2  # several processes shared the work
    finally:
        receiver.close()
