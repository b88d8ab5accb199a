"""Faults on loopback: a node killed mid-signing, PostgreSQL restarting under load.

Bounded in time and count; every node is gunicorn as production runs it, on
the session's private PostgreSQL server.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from bridge.extensions import db
from bridge.models import Contract, ContractEvent, OutboxMessage
from bridge.services.audit import verify_chain
from examples.finance_client import ApiError, FinanceClient
from tests.cluster.conftest import make_app, waiting_contracts
from tests.instances import app_context_of
from tests.nodes import BridgeNode
from tests.parties import GUARANTOR
from tests.pdfs import chinese_pdf
from tests.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SIGNINGS = 200
# Callbacks the killed node had claimed are retried once their claim lapses:
# 3 × the send timeout + 10 s, so 16 s with 2-second timeouts.
SHORT_LEASES = {
    "SEALBRIDGE_WEBHOOK_TIMEOUT_SECONDS": "2",
    "SEALBRIDGE_SMS_HTTP_TIMEOUT_SECONDS": "2",
}
GUARANTEE = {
    "subject": "担保函",
    "category": "guarantee_letter",
    "signatories": [GUARANTOR],
}


@pytest.fixture
def receiver():
    server = WebhookReceiver()
    yield server
    server.close()


def _sign(node_url: str, key: str, secret: str, contract_id: str, signatory: int):
    with FinanceClient(node_url, key, secret, timeout=60) as client:
        return client.post(
            f"/api/v1/contracts/{contract_id}/signatories/{signatory}/sign"
        )["status"]


def _assert_whole(home, contract_ids: list[str]) -> int:
    """Each contract is signed with its revision and event, or not at all."""
    signed = 0
    with app_context_of(home):
        for contract_id in contract_ids:
            contract = db.session.get(Contract, contract_id)
            events = list(
                db.session.scalars(
                    select(ContractEvent)
                    .where(ContractEvent.contract_id == contract_id)
                    .order_by(ContractEvent.seq)
                )
            )
            types = [e.type for e in events]
            reasons = [r.reason for r in contract.documents[0].revisions]
            assert verify_chain(events)
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            is_signed = contract.signatories[0].status == "SIGNED"
            assert is_signed == ("signed" in types) == ("signed by borrower" in reasons)
            assert types.count("signed") <= 1
            assert (contract.status == "COMPLETE") == is_signed
            assert ("archive timestamp" in reasons) == is_signed
            signed += is_signed
    return signed


def test_a_node_killed_mid_signing_loses_nothing(cluster_home, receiver):
    key, secret = make_app(cluster_home, callback_url=receiver.url)
    waiting = waiting_contracts(cluster_home, key, SIGNINGS)
    done = threading.Event()
    finished = []

    node = BridgeNode(cluster_home, workers=2, environment=SHORT_LEASES).start()

    def sign(job):
        try:
            finished.append(_sign(node.url, key, secret, *job))
        except (ApiError, requests.RequestException):
            pass  # the node died under this request
        if len(finished) >= SIGNINGS // 5:
            done.set()

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(sign, job) for job in waiting]
        assert done.wait(timeout=300)
        node.kill()
        for future in futures:
            future.result(timeout=120)
    ids = [contract_id for contract_id, _ in waiting]
    signed_before = _assert_whole(cluster_home, ids)
    assert SIGNINGS // 5 <= signed_before < SIGNINGS  # killed in the middle

    with BridgeNode(cluster_home, workers=2, environment=SHORT_LEASES) as again:
        with app_context_of(cluster_home):
            still = [
                job
                for job in waiting
                if db.session.get(Contract, job[0]).status == "SIGNING"
            ]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda job: _sign(again.url, key, secret, *job), still))
        assert _assert_whole(cluster_home, ids) == SIGNINGS
        with app_context_of(cluster_home):
            expected = set(
                db.session.scalars(
                    select(OutboxMessage.event_id).where(
                        OutboxMessage.subject_id.in_(ids)
                    )
                )
            )
        deadline = time.monotonic() + 120  # the restarted node's dispatcher
        while time.monotonic() < deadline and not expected <= set(receiver.event_ids()):
            time.sleep(0.5)
    assert expected <= set(receiver.event_ids())
    assert len(expected) == 3 * SIGNINGS  # sent, signed, completed for each


def test_postgresql_restarting_under_load_answers_503_and_loses_nothing(
    cluster_home, postgres
):
    key, secret = make_app(cluster_home)
    pdf = chinese_pdf(1)
    statuses: list[int] = []
    created: dict[str, str] = {}  # bizId -> contract id, once answered 2xx
    stop = threading.Event()

    def create(client: FinanceClient, biz_id: str) -> None:
        meta = json.dumps({"bizId": biz_id, **GUARANTEE}, ensure_ascii=False)
        files = {"meta": (None, meta), "file": ("g.pdf", pdf, "application/pdf")}
        while True:  # the finance system retries with the same bizId
            try:
                contract = client.post("/api/v1/contracts", files=files)
            except ApiError as error:
                statuses.append(error.status)
                time.sleep(0.3)
                continue
            statuses.append(200)
            created[biz_id] = contract["id"]
            return

    def load(slot: int) -> None:
        with FinanceClient(node.url, key, secret, timeout=30) as client:
            n = 0
            while not stop.is_set():
                create(client, f"PG-{slot}-{n}-{uuid.uuid4().hex[:6]}")
                n += 1

    with BridgeNode(cluster_home, workers=2) as node:
        threads = [threading.Thread(target=load, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        postgres.stop()
        time.sleep(4)
        postgres.start()
        time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        assert requests.get(f"{node.url}/health", timeout=5).status_code == 200

    assert set(statuses) <= {200, 503}  # never a 500
    assert 503 in statuses
    with app_context_of(cluster_home):
        for biz_id, contract_id in created.items():
            contract = db.session.get(Contract, contract_id)
            assert contract is not None
            assert contract.biz_id == biz_id
            assert contract.status == "DRAFT"
            assert len(contract.documents[0].revisions) == 1
