"""Pushback into the OA record through the outbox, against the sandbox on loopback."""

from __future__ import annotations

import time
from datetime import UTC, timedelta

import pytest
import zeep
from sqlalchemy import select

from bridge import create_app
from bridge.extensions import db
from bridge.models import OutboxMessage, utcnow
from bridge.outbox import enqueue_pushback
from bridge.outbox.dispatch import Leases, _claim_next, dispatch_due
from bridge.services.oa_pushback import client, enqueue_documents
from bridge.sms.outbox import enqueue_sms
from oa_plugin.client import EcologyClient, OaUnavailable
from oa_plugin.pushback import Document, Pushback
from tests.oa import main_table, sandbox_docs, sandbox_server
from tests.wsgi_server import LoopbackServer

PDF = b"%PDF-1.4\n% sealed contract\n"

pytestmark = pytest.mark.database


@pytest.fixture
def sandbox(tmp_path):
    server = sandbox_server(tmp_path / "ecology", session_seconds=3600)
    yield server
    server.stop()


@pytest.fixture
def oa_app(home, sandbox):
    oa = {
        "url": sandbox.url,
        "login": "sealbridge",
        "password": "oa-pass",
        "timeout_seconds": 5,
    }
    return create_app({"HOME": str(home), "OA": oa})


def _new_request(sandbox) -> int:
    """A seal application left at its first node (申请, user 2)."""
    service = zeep.Client(f"{sandbox.url}/services/WorkflowService?wsdl").service
    info = main_table(
        102, "用印申请", {"fj": ("contract.pdf", b"%PDF-1.4\n")}, htmc="合同"
    )
    info["isnextflow"] = "0"
    return int(service.doCreateWorkflowRequest(info, 2))


def _job(request_id: int) -> Pushback:
    return Pushback(
        request_id=request_id,
        node="申请",
        user=2,
        field="gzfj",
        documents=(Document("contract-sealed.pdf", "合同（已盖章）", "sealed:1"),),
        status_fields={"yzzt": "已盖章"},
    )


def _marker(request_id: int) -> str:
    job = _job(request_id)
    return job.marker(job.documents[0])


def _later() -> object:
    return utcnow() + timedelta(hours=2)


def test_oa_down_then_up_delivers_exactly_once(oa_app, sandbox):
    request_id = _new_request(sandbox)
    with oa_app.app_context():
        enqueue_documents(_job(request_id), [PDF])
        db.session.commit()
        sandbox.stop()
        assert dispatch_due().failed == 1
        message = db.session.scalars(db.select(OutboxMessage)).one()
        assert message.status == "pending"
        assert "OaUnavailable" in message.last_error

        sandbox.start()
        assert dispatch_due(now=_later()).delivered == 1

        state = client().get_request(request_id, 2)
    docs = sandbox_docs(sandbox, _marker(request_id))
    assert len(docs) == 1
    assert state.fields["gzfj"] == str(docs[0])
    assert state.fields["yzzt"] == "已盖章"
    assert state.node == "部门审批"
    with oa_app.app_context():
        name, content = client().doc_file(docs[0])
    assert (name, content) == ("contract-sealed.pdf", PDF)


def test_a_retry_after_a_lost_answer_reuses_the_document(oa_app, sandbox):
    """createDoc succeeded but the answer was lost: the retry finds the doc."""
    request_id = _new_request(sandbox)
    job = _job(request_id)
    with oa_app.app_context():
        earlier = client().create_doc(
            "合同（已盖章）", "contract-sealed.pdf", PDF, keyword=_marker(request_id)
        )
        enqueue_documents(job, [PDF])
        db.session.commit()
        assert dispatch_due().delivered == 1
        # Delivered again (a dispatcher died before recording success).
        db.session.execute(
            db.update(OutboxMessage).values(status="pending", next_attempt_at=utcnow())
        )
        db.session.commit()
        assert dispatch_due().delivered == 1
        state = client().get_request(request_id, 2)
    assert sandbox_docs(sandbox, _marker(request_id)) == [earlier]
    assert state.fields["gzfj"] == str(earlier)
    assert state.node == "部门审批"


def test_an_expired_session_logs_in_again(oa_app, sandbox):
    request_id = _new_request(sandbox)
    with oa_app.app_context():
        assert client().find_doc("nothing") is None  # logs in
        store = sandbox.app.extensions["ecology"].store
        with store.transaction() as sandbox_db:
            sandbox_db.execute("DELETE FROM sessions")
        enqueue_documents(_job(request_id), [PDF])
        db.session.commit()
        assert dispatch_due().delivered == 1
    assert len(sandbox_docs(sandbox, _marker(request_id))) == 1


def test_wrong_oa_password_fails_and_is_retried(home, sandbox):
    oa = {"url": sandbox.url, "login": "sealbridge", "password": "wrong"}
    app = create_app({"HOME": str(home), "OA": oa})
    with app.app_context():
        enqueue_documents(_job(_new_request(sandbox)), [PDF])
        db.session.commit()
        assert dispatch_due().failed == 1
        message = db.session.scalars(db.select(OutboxMessage)).one()
    assert "login" in message.last_error


def _slow(app, seconds: float):
    """``app`` answering every SOAP call ``seconds`` late (WSDLs at once)."""

    def answer(environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            time.sleep(seconds)
        return app(environ, start_response)

    return answer


def _find_until_refused(oa: EcologyClient, marker: str) -> None:
    while True:
        oa.find_doc(marker)


def test_a_pushback_s_calls_share_one_deadline(sandbox):
    """A slow OA cannot hold a pushback past its budget, call after call."""
    slow = LoopbackServer(_slow(sandbox.app, 1.5)).start()
    try:
        oa = EcologyClient(slow.url, "sealbridge", "oa-pass", timeout=5)
        request_id = _new_request(sandbox)
        assert oa.get_request(request_id, 2).node == "申请"  # 1.5 s, within 5 s
        started = time.monotonic()
        with pytest.raises(OaUnavailable), oa.deadline(1.0):
            oa.get_request(request_id, 2)  # cut to what is left of 1 s
        assert time.monotonic() - started < 1.5
        started = time.monotonic()
        with pytest.raises(OaUnavailable), oa.deadline(2.0):
            _find_until_refused(oa, _marker(request_id))
        assert time.monotonic() - started < 2 + 1.5
        with pytest.raises(OaUnavailable, match="no time left"), oa.deadline(0):
            oa.get_request(request_id, 2)
        assert oa.get_request(request_id, 2).node == "申请"  # no deadline after it
    finally:
        slow.stop()


def test_a_pushback_s_claim_outlasts_its_budget_and_a_webhook_s_its_timeout(home):
    oa = {"url": "http://127.0.0.1:9", "login": "x", "timeout_seconds": 7}
    app = create_app(
        {
            "HOME": str(home),
            "OA": oa,
            "WEBHOOK_TIMEOUT_SECONDS": 2,
            "SMS_HTTP_TIMEOUT_SECONDS": 3,
        }
    )
    with app.app_context():
        leases = Leases.of_config()
        assert leases.pushback == timedelta(seconds=3 * 7 + 10)
        assert leases.request == timedelta(seconds=3 * 3 + 10)
        enqueue_pushback({"request_id": 1}, subject_id="oa:1")
        enqueue_sms("13700000001", "测试", "test")
        db.session.commit()
        now = utcnow()
        claimed = [_claim_next(now, leases), _claim_next(now, leases)]
        kinds = {
            m.kind: m.claimed_until
            for m in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
            )
        }
    assert _aware(kinds["oa_pushback"]) == now + leases.pushback
    assert _aware(kinds["sms"]) == now + leases.request


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
