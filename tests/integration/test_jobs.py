"""Scheduled jobs: once per cluster, reminders with cadence and quiet hours, records."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bridge.api.contract_io import parse_upload_request
from bridge.extensions import db
from bridge.models import (
    ContractEvent,
    OneTimeCode,
    OutboxMessage,
    ScheduledJob,
    SigningLink,
)
from bridge.scheduler import JOBS
from bridge.services import contracts, pki
from bridge.services.apps import find_app
from bridge.services.audit import Actor
from bridge.services.contracts import refresh_archive_timestamps
from bridge.services.housekeeping import clean_up
from bridge.services.jobs import Job, find_job, run_job
from bridge.services.storage import storage
from bridge.services.verification import verify
from tests.parties import GUARANTOR, LENDER
from tests.pdfs import chinese_pdf
from tests.signed_client import SignedClient, new_api_app

pytestmark = pytest.mark.database

# 09:00 in China; the default quiet hours are 21:00-08:00.
SENT = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored in UTC), PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# The finance company seals alone: the contract completes as it is sent.
LENDER_ALONE = {**LENDER, "routingOrder": 1}


def _sent_contract(app, app_key: str, signatory: dict) -> str:
    """A one-page uploaded contract with one signatory, sent; its id."""
    meta = {
        "bizId": f"JOB-{datetime.now().timestamp()}",
        "subject": "担保函",
        "category": "guarantee_letter",
        "signatories": [signatory],
        "send": True,
    }
    with app.app_context():
        request = parse_upload_request(json.dumps(meta), chinese_pdf(1))
        contract, _ = contracts.create_contract(
            find_app(app_key), request, Actor("test")
        )
        return contract.id


def _reminders(app, contract_id: str) -> int:
    with app.app_context():
        return len(
            db.session.scalars(
                select(ContractEvent).where(
                    ContractEvent.contract_id == contract_id,
                    ContractEvent.type == "reminded",
                )
            ).all()
        )


def _remind_at(app, now: datetime) -> int:
    with app.app_context():
        return contracts.remind_due(now)


def test_reminders_follow_their_cadence_limit_and_quiet_hours(app):
    app_key, _, _ = new_api_app(app, callback_url="http://127.0.0.1:9/hooks")
    contract_id = _sent_contract(app, app_key, GUARANTOR)
    with app.app_context():
        db.session.get(contracts.Contract, contract_id).sent_at = SENT
        db.session.commit()
    hours = lambda n: SENT + timedelta(hours=n)  # noqa: E731

    assert _remind_at(app, hours(23)) == 0  # too early
    assert _remind_at(app, hours(36)) == 0  # 21:00 in China: quiet
    assert _remind_at(app, hours(25)) == 1
    assert _remind_at(app, hours(26)) == 0  # the cadence
    assert _remind_at(app, hours(50)) == 1
    assert _remind_at(app, hours(75)) == 1
    assert _remind_at(app, hours(100)) == 0  # at most three
    assert _reminders(app, contract_id) == 3
    with app.app_context():
        callbacks = db.session.scalars(
            select(OutboxMessage.event_type).where(
                OutboxMessage.subject_id == contract_id
            )
        ).all()
    assert callbacks.count("contract.reminded") == 3


def test_a_job_runs_once_for_two_processes_firing_together(app, home):
    script = textwrap.dedent(
        f"""
        import sys, time
        from bridge import create_app
        from bridge.scheduler import JOBS
        from bridge.services.jobs import find_job, run_job
        app = create_app({{"HOME": {str(home)!r}}})
        start = float(sys.argv[1])
        with app.app_context():
            time.sleep(max(0, start - time.time()))
            run = run_job(find_job(JOBS, "clean-up"), app.config)
            print("ran" if run is not None else "skipped")
        """
    )
    start = str(datetime.now().timestamp() + 4)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, start], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = sorted(p.communicate(timeout=120)[0].strip() for p in processes)
    assert outputs == ["ran", "skipped"]
    with app.app_context():
        job = db.session.get(ScheduledJob, "clean-up")
        assert job.runs == 1
        assert job.last_outcome == "ok"
        assert _utc(job.next_run_at) > datetime.now(UTC)


def test_a_failing_job_is_recorded_and_runs_again_when_due(app):
    job = find_job(JOBS, "clean-up")

    def broken(now):
        raise RuntimeError("the archive disk is full")

    failing = Job(job.name, job.every_seconds, broken)
    now = datetime.now(UTC)
    with app.app_context():
        run = run_job(failing, app.config, now)
        assert not run.ok
        assert "the archive disk is full" in run.detail
        assert run_job(failing, app.config, now + timedelta(minutes=1)) is None
        assert run_job(job, app.config, now + timedelta(hours=1, seconds=1)).ok
        state = db.session.get(ScheduledJob, "clean-up")
        assert (state.runs, state.failures, state.last_outcome) == (2, 1, "ok")


def test_operators_see_the_jobs_and_dealers_do_not(app, client, cli):
    office = SignedClient(client, *new_api_app(app, "总部", "*", head_office=True)[:2])
    dealer = SignedClient(client, *new_api_app(app)[:2])
    result = cli("jobs", "run", "contract-expiry")
    assert result.exit_code == 0
    assert result.output.startswith("contract-expiry: ok: 0 contracts expired")
    listed = office.get("/api/v1/jobs").get_json()["jobs"]
    assert [j["name"] for j in listed] == [j.name for j in JOBS]
    expiry = next(j for j in listed if j["name"] == "contract-expiry")
    assert expiry["lastOutcome"] == "ok"
    assert expiry["runs"] == 1
    assert dealer.get("/api/v1/jobs").status_code == 403
    unknown = cli("jobs", "run", "nope")
    assert unknown.exit_code == 2
    assert "unknown_job" in unknown.output


def test_archive_timestamps_are_renewed_before_their_certificate_expires(app):
    contract_id = _sent_contract(app, new_api_app(app)[0], LENDER_ALONE)
    with app.app_context():
        contract = db.session.get(contracts.Contract, contract_id)
        assert contract.archive_expires_at is not None
        assert refresh_archive_timestamps() == "0 contracts timestamped again"

        # Ten days before the archive timestamp's certificate expires:
        contract.archive_expires_at = datetime.now(UTC) + timedelta(days=10)
        db.session.commit()
        assert refresh_archive_timestamps() == "1 contracts timestamped again"
        contract = db.session.get(contracts.Contract, contract_id)
        assert _utc(contract.archive_expires_at) > datetime.now(UTC) + timedelta(
            days=180
        )
        last_event = db.session.scalars(
            select(ContractEvent.type)
            .where(ContractEvent.contract_id == contract_id)
            .order_by(ContractEvent.seq.desc())
        ).first()
        assert last_event == "archive_timestamp_renewed"
        pdf = storage().get(contract.documents[0].current.sha256)
        report = verify(pdf)
    assert report.indication == "PASSED"
    assert [s.kind for s in report.signatures] == [
        "signature",
        "document_timestamp",
        "document_timestamp",
    ]


def test_the_embedded_tsa_is_renewed_when_its_own_certificate_nears_expiry(app):
    _sent_contract(app, new_api_app(app)[0], LENDER_ALONE)
    with app.app_context():
        old_expiry = pki.embedded_tsa_expiry()
        old_tsa = pki.embedded_tsa()
        summary = refresh_archive_timestamps(old_expiry - timedelta(days=100))
        assert pki.embedded_tsa() is not old_tsa
        assert pki.embedded_tsa_expiry() > old_expiry
        # Stamped now, the new certificate cannot reach 80 days past the old
        # one's end: the contract waits rather than get a useless revision.
        assert summary.startswith("0 contracts timestamped again; 1 wait")


def test_clean_up_removes_what_served_its_purpose_and_keeps_the_evidence(app):
    app_key = new_api_app(app)[0]
    contract_id = _sent_contract(app, app_key, GUARANTOR)
    with app.app_context():
        contracts.recall_contract(
            find_app(app_key), contract_id, Actor("test"), "客户取消购车"
        )
        events = _event_count(contract_id)
        now = datetime.now(UTC)
        db.session.add(
            OneTimeCode(subject="operator:13700000001", expires_at=now, failures=1)
        )
        for address, minutes_ago in (("203.0.113.7", 30), ("198.51.100.1", 90)):
            seen = (now - timedelta(minutes=minutes_ago)).isoformat()
            db.session.add(
                OneTimeCode(subject=f"login-code-ip:{address}", sent_at=[seen])
            )
        db.session.commit()

        assert clean_up(now)["address_counters"] == 1  # the one idle for an hour
        removed = clean_up(now + timedelta(days=2))
        assert removed["signing_links"] == 0  # the link still says "recalled"
        assert removed["codes"] == 1
        removed = clean_up(now + timedelta(days=31))
        assert removed["signing_links"] == 1
        assert db.session.scalars(select(SigningLink)).all() == []
        assert _event_count(contract_id) == events


def _event_count(contract_id: str) -> int:
    return len(
        db.session.scalars(
            select(ContractEvent).where(ContractEvent.contract_id == contract_id)
        ).all()
    )
