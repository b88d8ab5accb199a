"""``sealbridge apps`` and ``sealbridge outbox``."""

from __future__ import annotations

import json
import re

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import OutboxMessage
from bridge.outbox import enqueue
from bridge.services.apps import find_app
from tests.signed_client import SignedClient
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.database


def _create(cli, *options):
    result = cli("apps", "create", *options)
    assert result.exit_code == 0, result.output
    return result.output


def test_apps_create_prints_the_credentials_once_as_json(cli, home):
    output = _create(cli, "--name", "济南门店", "--tenant", "JN001")
    assert output.count("\n") == 1
    created = json.loads(output)
    assert list(created) == ["app_key", "app_secret", "webhook_secret"]
    assert re.fullmatch(r"[A-Z2-7]{20}", created["app_key"])
    assert len(created["app_secret"]) >= 40
    assert created["app_secret"].startswith("sbsk_")  # never read as an option
    assert created["webhook_secret"].startswith("whsec_")
    app = create_app({"HOME": str(home)})
    signed = SignedClient(app.test_client(), created["app_key"], created["app_secret"])
    assert signed.get("/api/v1/ping").get_json() == {
        "app": "济南门店",
        "tenant": "JN001",
        "head_office": False,
    }
    (listed,) = [json.loads(line) for line in cli("apps", "list").output.splitlines()]
    assert listed["app_key"] == created["app_key"]
    assert listed["active_webhook_secrets"] == 1
    assert created["app_secret"] not in cli("apps", "list").output


def test_apps_create_rejects_bad_input(cli):
    result = cli("apps", "create", "--name", "x", "--tenant", "*")
    assert result.exit_code == 2
    assert "tenant" in result.output
    result = cli(
        "apps", "create", "--name", "x", "--tenant", "A1", "--callback-url", "ftp://x"
    )
    assert result.exit_code == 2
    assert "callback_url" in result.output
    head_office = _create(cli, "--name", "总部", "--tenant", "*", "--head-office")
    assert json.loads(head_office)["app_key"]


def test_rotate_and_retire_webhook_secrets(cli):
    created = json.loads(_create(cli, "--name", "门店", "--tenant", "JN001"))
    result = cli("apps", "rotate-webhook-secret", created["app_key"])
    assert result.exit_code == 0, result.output
    rotated = json.loads(result.output)["webhook_secret"]
    assert rotated.startswith("whsec_")
    assert rotated != created["webhook_secret"]
    assert json.loads(cli("apps", "list").output)["active_webhook_secrets"] == 2
    result = cli("apps", "retire-webhook-secrets", created["app_key"])
    assert result.output.strip() == "retired 1"
    assert json.loads(cli("apps", "list").output)["active_webhook_secrets"] == 1
    unknown = cli("apps", "rotate-webhook-secret", "NOPE")
    assert unknown.exit_code == 2
    assert "[unknown_app]" in unknown.output


def test_outbox_list_retry_and_dispatch(cli, home):
    receiver = WebhookReceiver()
    try:
        created = json.loads(
            _create(
                cli,
                "--name",
                "门店",
                "--tenant",
                "JN001",
                "--callback-url",
                receiver.url,
            )
        )
        receiver.secrets.append(created["webhook_secret"])
        app = create_app({"HOME": str(home)})
        with app.app_context():
            api_app = find_app(created["app_key"])
            for subject in ("C1", "C2", "C3"):
                enqueue(api_app, "contract.sent", {"id": subject}, subject_id=subject)
            db.session.commit()
            for message in db.session.scalars(db.select(OutboxMessage)):
                message.status = "dead" if message.subject_id != "C3" else "pending"
            db.session.commit()

        dead = [
            json.loads(line)
            for line in cli("outbox", "list", "--status", "dead").output.splitlines()
        ]
        assert [item["subject_id"] for item in dead] == ["C2", "C1"]  # newest first
        assert len(cli("outbox", "list").output.splitlines()) == 3

        result = cli("outbox", "retry", str(dead[1]["id"]))
        assert result.output.strip() == "reset 1 to pending"
        again = cli("outbox", "retry", str(dead[1]["id"]))
        assert again.exit_code == 2
        assert "[not_dead]" in again.output
        assert cli("outbox", "retry").exit_code == 2
        assert cli("outbox", "retry", "1", "--all-dead").exit_code == 2
        assert (
            cli("outbox", "retry", "--all-dead").output.strip() == "reset 1 to pending"
        )

        result = cli("outbox", "dispatch")
        assert result.output.strip() == "delivered=3 failed=0 dead=0"
        assert len(receiver.deliveries) == 3
        assert all(delivery.verified for delivery in receiver.deliveries)
        assert cli("outbox", "list", "--status", "dead").output == ""
    finally:
        receiver.close()
