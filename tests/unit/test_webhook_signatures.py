"""Webhook signatures: docs/api.md's worked example, rotation, the receiver's check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bridge.outbox.webhooks import event_body, signature_headers, verify_webhook
from examples.finance_client import verify_webhook as example_verify

API_DOC = (Path(__file__).parents[2] / "docs" / "api.md").read_text()

NEW = "whsec_new-EXAMPLE-2kP9xR4vT7yB1nM6qW3zC8dF5"
OLD = "whsec_old-EXAMPLE-8hJ2sL5uN9wE4rT7yU1iO3pA6"
TIMESTAMP = 1795000000
BODY = event_body(
    "3f2b8c0d9e1a4b7c8d6e5f4a3b2c1d0e",
    "contract.completed",
    datetime(2026, 11, 18, 11, 5, 58, tzinfo=UTC),
    {"contractId": "c1f0e2d3", "bizId": "LN-2026-00042", "status": "COMPLETE"},
)
NEW_SIGNATURE = "v1=1bb546666e288a33c8ad3c2152c9a6e8061060fa31a71fc36e9da36e9da388b2"


def test_worked_example():
    headers = signature_headers(
        [NEW],
        TIMESTAMP,
        BODY,
        event_id="3f2b8c0d9e1a4b7c8d6e5f4a3b2c1d0e",
        event_type="contract.completed",
    )
    assert headers == {
        "X-SB-Event-Id": "3f2b8c0d9e1a4b7c8d6e5f4a3b2c1d0e",
        "X-SB-Event-Type": "contract.completed",
        "X-SB-Timestamp": "1795000000",
        "X-SB-Signature": NEW_SIGNATURE,
    }
    assert BODY.decode() in API_DOC
    assert NEW_SIGNATURE in API_DOC


def test_rotation_signs_with_every_active_secret():
    header = signature_headers([NEW, OLD], TIMESTAMP, BODY)["X-SB-Signature"]
    first, second = header.split(",")
    assert first == NEW_SIGNATURE
    assert header in API_DOC
    headers = {"X-SB-Timestamp": "1795000000", "X-SB-Signature": header}
    for secrets in ([NEW], [OLD], ["whsec_other", OLD]):
        assert verify_webhook(headers, BODY, secrets, now=TIMESTAMP + 10)
        assert example_verify(headers, BODY, secrets, now=TIMESTAMP + 10)
    assert not verify_webhook(headers, BODY, ["whsec_other"], now=TIMESTAMP)


@pytest.mark.parametrize("verify", [verify_webhook, example_verify])
def test_receiver_rejects_tampering_and_stale_deliveries(verify):
    headers = signature_headers([NEW], TIMESTAMP, BODY)
    assert verify(headers, BODY, [NEW], now=TIMESTAMP + 300)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert verify(lowered, BODY, [NEW], now=TIMESTAMP)
    assert not verify(headers, BODY + b" ", [NEW], now=TIMESTAMP)
    assert not verify(headers, BODY, [NEW], now=TIMESTAMP + 301)
    assert not verify(headers, BODY, [NEW], now=TIMESTAMP - 301)
    moved = {**headers, "X-SB-Timestamp": str(TIMESTAMP + 1)}
    assert not verify(moved, BODY, [NEW], now=TIMESTAMP)
    assert not verify({**headers, "X-SB-Timestamp": "soon"}, BODY, [NEW])
    assert not verify({"X-SB-Timestamp": str(TIMESTAMP)}, BODY, [NEW], now=TIMESTAMP)
