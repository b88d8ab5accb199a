"""The outbox over real HTTP: a receiver on loopback checks every HMAC."""

from __future__ import annotations

import json
import threading
from datetime import UTC, timedelta

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import ApiApp, OutboxMessage, utcnow
from bridge.outbox import enqueue
from bridge.outbox.dispatch import DispatchResult, dispatch_due, retry_dead
from bridge.outbox.webhooks import verify_webhook
from bridge.services.apps import find_app, retire_webhook_secret, rotate_webhook_secret
from tests.signed_client import SignedClient, new_api_app
from tests.webhook_receiver import WebhookReceiver, refused_url

pytestmark = pytest.mark.database


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture
def dealer(app, receiver):
    """A dealer app whose webhooks go to the receiver, which knows its secret."""
    app_key, _, webhook_secret = new_api_app(app, callback_url=receiver.url)
    receiver.secrets.append(webhook_secret)
    return app_key


def _enqueue(flask_app, app_key, event_type="contract.sent", subject_id="C1", **data):
    """Enqueue one event and commit; return ``(message id, event id)``."""
    with flask_app.app_context():
        message = enqueue(find_app(app_key), event_type, data, subject_id=subject_id)
        db.session.commit()
        return message.id, message.event_id


def _message(flask_app, message_id) -> OutboxMessage:
    with flask_app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def _dispatch(flask_app, **options) -> DispatchResult:
    with flask_app.app_context():
        return dispatch_due(**options)


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_delivered_once_with_stable_event_id_and_valid_signature(app, dealer, receiver):
    message_id, event_id = _enqueue(
        app, dealer, "contract.completed", contractId="C1", status="COMPLETE"
    )
    assert _dispatch(app) == DispatchResult(delivered=1)
    assert _dispatch(app) == DispatchResult()
    (delivery,) = receiver.deliveries
    assert delivery.verified
    assert delivery.path == "/hooks/sealbridge"
    assert delivery.headers["X-SB-Event-Id"] == event_id
    assert delivery.headers["X-SB-Event-Type"] == "contract.completed"
    assert delivery.headers["Content-Type"] == "application/json"
    envelope = json.loads(delivery.body)
    assert envelope["event_id"] == event_id
    assert envelope["event_type"] == "contract.completed"
    assert envelope["occurred_at"].endswith("Z")
    assert envelope["data"] == {"contractId": "C1", "status": "COMPLETE"}
    message = _message(app, message_id)
    assert (message.status, message.attempts) == ("delivered", 1)
    assert message.delivered_at is not None
    assert message.claimed_until is None


def test_rotation_signs_with_every_active_secret(app, dealer, receiver):
    (old_secret,) = receiver.secrets
    with app.app_context():
        new_secret = rotate_webhook_secret(dealer)
    _enqueue(app, dealer)
    _dispatch(app)
    delivery = receiver.deliveries[-1]
    signatures = delivery.headers["X-SB-Signature"].split(",")
    assert len(signatures) == 2
    assert all(s.startswith("v1=") for s in signatures)
    for secret in (old_secret, new_secret):
        assert verify_webhook(delivery.headers, delivery.body, [secret])
    with app.app_context():
        assert retire_webhook_secret(dealer) == 1
    _enqueue(app, dealer, subject_id="C2")
    _dispatch(app)
    delivery = receiver.deliveries[-1]
    assert "," not in delivery.headers["X-SB-Signature"]
    assert verify_webhook(delivery.headers, delivery.body, [new_secret])
    assert not verify_webhook(delivery.headers, delivery.body, [old_secret])


def test_receiver_down_backoff_then_dead_then_retried(home, receiver):
    app = create_app({"HOME": str(home), "OUTBOX_MAX_ATTEMPTS": 12})
    app_key, _, webhook_secret = new_api_app(app, callback_url=refused_url())
    receiver.secrets.append(webhook_secret)
    message_id, event_id = _enqueue(app, app_key)
    now = utcnow()
    for attempt in range(1, 13):
        result = _dispatch(app, now=now)
        message = _message(app, message_id)
        assert message.attempts == attempt
        assert "ConnectionError" in message.last_error
        if attempt == 12:
            assert result == DispatchResult(dead=1)
            assert message.status == "dead"
            break
        assert result == DispatchResult(failed=1)
        assert message.status == "pending"
        delay = (_aware(message.next_attempt_at) - now).total_seconds()
        expected = min(2 * 2 ** (attempt - 1), 3600)
        assert expected <= delay <= expected * 1.1 + 0.01
        # Not before its time, even though it is pending.
        too_early = _aware(message.next_attempt_at) - timedelta(seconds=1)
        assert _dispatch(app, now=too_early) == DispatchResult()
        now = _aware(message.next_attempt_at)
    assert _dispatch(app, now=now + timedelta(days=1)) == DispatchResult()

    with app.app_context():
        db.session.get(ApiApp, message.app_id).callback_url = receiver.url
        db.session.commit()
        assert retry_dead() == 1
    assert _dispatch(app) == DispatchResult(delivered=1)
    assert receiver.event_ids() == [event_id]
    assert receiver.deliveries[0].verified
    assert _message(app, message_id).status == "delivered"


def test_order_per_subject_holds_when_the_first_fails(app, dealer, receiver):
    first, first_event = _enqueue(app, dealer, "contract.sent", subject_id="C1")
    second, second_event = _enqueue(app, dealer, "signatory.signed", subject_id="C1")
    other, other_event = _enqueue(app, dealer, "contract.sent", subject_id="C2")
    receiver.status = 500
    assert _dispatch(app) == DispatchResult(failed=2)
    assert receiver.event_ids() == [first_event, other_event]
    assert _message(app, first).last_error == "HTTP 500: ok"
    assert _message(app, second).attempts == 0  # waits behind the first

    receiver.status = 200
    later = utcnow() + timedelta(seconds=10)
    assert _dispatch(app, now=later) == DispatchResult(delivered=3)
    assert receiver.event_ids()[2:] == [first_event, second_event, other_event]
    assert all(delivery.verified for delivery in receiver.deliveries)


def test_dead_message_holds_back_its_subject(app, dealer, receiver):
    first, _ = _enqueue(app, dealer, subject_id="C1")
    _, second_event = _enqueue(app, dealer, subject_id="C1")
    with app.app_context():
        db.session.get(OutboxMessage, first).status = "dead"
        db.session.commit()
    assert _dispatch(app) == DispatchResult()
    with app.app_context():
        assert retry_dead(first) == 1
    assert _dispatch(app) == DispatchResult(delivered=2)
    assert receiver.event_ids()[1] == second_event


def test_rolled_back_enqueue_sends_nothing(app, dealer, receiver):
    with app.app_context():
        message = enqueue(find_app(dealer), "contract.sent", {"contractId": "C1"})
        assert message is not None
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0
    assert _dispatch(app) == DispatchResult()
    assert receiver.deliveries == []


def test_apps_without_callback_url_get_no_rows(app):
    app_key, _, _ = new_api_app(app)
    with app.app_context():
        assert enqueue(find_app(app_key), "contract.sent", {}) is None


def test_concurrent_dispatchers_never_send_a_message_twice(app, dealer, receiver):
    receiver.delay = 0.02  # keep both dispatchers busy at the same time
    events = {
        subject: [_enqueue(app, dealer, subject_id=subject)[1] for _ in range(3)]
        for subject in ("C1", "C2", "C3", "C4")
    }
    unordered = [_enqueue(app, dealer, subject_id=None)[1] for _ in range(12)]
    results: list[DispatchResult] = []
    start = threading.Barrier(2)

    def dispatcher():
        start.wait()
        results.append(_dispatch(app, limit=50))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = receiver.event_ids()
    assert len(received) == len(set(received)) == 24
    assert set(unordered) < set(received)
    assert sum(result.delivered for result in results) == 24
    for subject_events in events.values():  # and each subject still in order
        assert [e for e in received if e in subject_events] == subject_events


def test_head_office_sees_and_retries_dead_messages(app, client, dealer, receiver):
    message_id, event_id = _enqueue(app, dealer)
    with app.app_context():
        db.session.get(OutboxMessage, message_id).status = "dead"
        db.session.commit()
    key, secret, _ = new_api_app(app, name="总部", tenant="*", head_office=True)
    head_office = SignedClient(client, key, secret)
    listing = head_office.get("/api/v1/outbox?status=dead").get_json()
    assert listing["total"] == 1
    (item,) = listing["items"]
    assert (item["id"], item["event_id"], item["app_key"]) == (
        message_id,
        event_id,
        dealer,
    )
    assert "payload" not in item
    retried = head_office.post(f"/api/v1/outbox/{message_id}/retry")
    assert retried.status_code == 200
    assert (retried.get_json()["status"], retried.get_json()["attempts"]) == (
        "pending",
        0,
    )
    again = head_office.post(f"/api/v1/outbox/{message_id}/retry")
    assert (again.status_code, again.get_json()["code"]) == (409, "not_dead")
    assert _dispatch(app) == DispatchResult(delivered=1)
    assert receiver.event_ids() == [event_id]


def test_two_days_without_the_receiver_lose_nothing_and_keep_each_order(app, receiver):
    """The finance system's receiver is down for 48 hours (simulated time)."""
    app_key, _, webhook_secret = new_api_app(app, callback_url=refused_url())
    receiver.secrets.append(webhook_secret)
    events = (
        "contract.sent",
        "signatory.signed",
        "signatory.signed",
        "contract.completed",
    )
    sent = {
        subject: [
            _enqueue(app, app_key, event_type, subject_id=subject)[1]
            for event_type in events
        ]
        for subject in ("C1", "C2", "C3")
    }
    start = utcnow()
    for minutes in range(0, 48 * 60, 10):  # a dispatcher pass every 10 minutes
        assert (
            _dispatch(app, limit=100, now=start + timedelta(minutes=minutes)).dead == 0
        )
    assert receiver.deliveries == []

    with app.app_context():
        find_app(app_key).callback_url = receiver.url
        db.session.commit()
    back = start + timedelta(hours=48)
    for minutes in range(0, 120, 10):  # the receiver is back
        _dispatch(app, limit=100, now=back + timedelta(minutes=minutes))
    received = [json.loads(d.body) for d in receiver.deliveries]
    assert all(d.verified for d in receiver.deliveries)
    for event_ids in sent.values():
        in_order = [r["event_id"] for r in received if r["event_id"] in set(event_ids)]
        assert in_order == event_ids
