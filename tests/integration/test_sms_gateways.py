"""SMS: the HTTP gateway adapter against a real loopback server, the dev store,
and SMS as outbox messages (sealed payload, retries)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.parse

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import DevSmsMessage, OutboxMessage
from bridge.outbox.dispatch import DispatchResult, dispatch_due
from bridge.sms import SmsError, build_gateway
from bridge.sms.http import HttpSmsGateway
from bridge.sms.outbox import enqueue_sms
from tests.loopback_service import LoopbackService
from tests.webhook_receiver import refused_url

TEXT = '【重汽金融】验证码 123456，用于签署《借款合同"甲"》。'


@pytest.fixture
def gateway_server():
    server = LoopbackService()
    yield server
    server.close()


def _gateway(server, **changes) -> HttpSmsGateway:
    config = {
        "SMS_GATEWAY": "http",
        "SMS_HTTP_URL": server.url,
        "SMS_HTTP_BODY_TEMPLATE": '{"phone": "$mobile", "content": "$text", "sign": 1}',
        "SMS_HTTP_CONTENT_TYPE": "application/json",
        "SMS_HTTP_AUTH": "hmac",
        "SMS_HTTP_SECRET": "s3cret",
        "SMS_HTTP_TIMEOUT_SECONDS": 5,
    }
    config.update(changes)
    return build_gateway(config)


def test_http_gateway_posts_the_template_with_an_hmac_signature(gateway_server):
    _gateway(gateway_server).send("13853112345", TEXT)
    (request,) = gateway_server.requests
    assert json.loads(request.body) == {
        "phone": "13853112345",
        "content": TEXT,
        "sign": 1,
    }
    timestamp = request.headers["X-SB-Timestamp"]
    expected = hmac.new(
        b"s3cret", timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-SB-Signature"] == expected
    assert request.headers["Content-Type"] == "application/json"


def test_http_gateway_with_a_bearer_token_and_a_form_body(gateway_server):
    _gateway(
        gateway_server,
        SMS_HTTP_AUTH="bearer",
        SMS_HTTP_SECRET="tok-1",
        SMS_HTTP_CONTENT_TYPE="application/x-www-form-urlencoded",
        SMS_HTTP_BODY_TEMPLATE="to=$mobile&msg=$text",
    ).send("13853112345", TEXT)
    (request,) = gateway_server.requests
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert urllib.parse.parse_qs(request.body.decode()) == {
        "to": ["13853112345"],
        "msg": [TEXT],
    }


def test_http_gateway_failures_are_sms_errors_without_the_full_mobile(gateway_server):
    gateway_server.answer = lambda _: (503, b'{"error": "quota"}')
    with pytest.raises(SmsError, match=r"138\*\*\*\*2345: HTTP 503") as caught:
        _gateway(gateway_server).send("13853112345", TEXT)
    assert "13853112345" not in str(caught.value)
    with pytest.raises(SmsError, match="ConnectionError"):
        _gateway(gateway_server, SMS_HTTP_URL=refused_url()).send("13853112345", TEXT)


def test_http_gateway_times_out(gateway_server):
    gateway_server.delay = 1.5
    with pytest.raises(SmsError, match="Timeout"):
        _gateway(gateway_server, SMS_HTTP_TIMEOUT_SECONDS=0.3).send("13853112345", "x")


def test_gateway_configuration_errors_are_named():
    with pytest.raises(Exception, match="SMS_GATEWAY"):
        build_gateway({"SMS_GATEWAY": "carrier-pigeon"})
    with pytest.raises(Exception, match="needs a secret"):
        _gateway(LoopbackService(), SMS_HTTP_SECRET=None)


def test_sms_goes_through_the_outbox_sealed_and_retried(home, gateway_server):
    app = create_app(
        {
            "HOME": str(home),
            "SMS_GATEWAY": "http",
            "SMS_HTTP_URL": gateway_server.url,
            "SMS_HTTP_SECRET": "k",
        }
    )
    gateway_server.answer = lambda _: (500, b"busy")
    with app.app_context():
        message = enqueue_sms("13853112345", TEXT, "otp")
        db.session.commit()
        stored = db.session.get(OutboxMessage, message.id)
        assert stored.kind == "sms"
        assert stored.app_id is None
        assert "123456" not in json.dumps(stored.payload)  # sealed at rest
        assert dispatch_due() == DispatchResult(failed=1)
        gateway_server.answer = lambda _: (200, b"{}")
        later = stored.next_attempt_at
        assert dispatch_due(now=later) == DispatchResult(delivered=1)
    assert [json.loads(r.body)["content"] for r in gateway_server.requests] == [
        TEXT,
        TEXT,
    ]


def test_dev_gateway_stores_and_logs_masked(home, caplog):
    app = create_app({"HOME": str(home)})
    with app.app_context(), caplog.at_level(logging.INFO):
        enqueue_sms("13853112345", TEXT, "otp")
        db.session.commit()
        assert dispatch_due() == DispatchResult(delivered=1)
        (stored,) = db.session.scalars(db.select(DevSmsMessage)).all()
    assert (stored.mobile, stored.text) == ("13853112345", TEXT)
    assert "138****2345" in caplog.text
    assert "13853112345" not in caplog.text


def test_dev_inbox_only_in_demo_mode(home):
    assert (
        create_app({"HOME": str(home)}).test_client().get("/dev/sms").status_code == 404
    )
    demo = create_app({"HOME": str(home), "DEMO": True})
    with demo.app_context():
        enqueue_sms("13853112345", TEXT, "otp")
        db.session.commit()
        dispatch_due()
    page = demo.test_client().get("/dev/sms")
    assert page.status_code == 200
    assert "13853112345" in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
