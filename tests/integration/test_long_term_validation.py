"""Signatures stay valid after their certificates expire, as PAdES-LTA intends.

A person's event certificate lasts 30 days. Checked 60 days on, a completed
contract's signatures are checked at the time its archive timestamp proves;
in a contract whose last party signs 40 days after the first, the first
signatures at the time their own signature timestamps prove. The clock is
moved with freezegun, so the CRLs are that day's too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from bridge.extensions import db
from bridge.models import ApiApp, Contract
from bridge.services import contracts
from bridge.services.apps import create_api_app
from bridge.services.audit import Actor
from bridge.services.storage import storage
from bridge.services.verification import verify
from tests.completed_contracts import create_signed_contract, store_clients
from tests.signer_contracts import create_loan

pytestmark = pytest.mark.database


def test_signatures_outlive_their_certificates_through_the_archive_timestamp(app):
    contract = create_signed_contract(app, store_clients(app)["JN001"], "LTV-1")
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=60)
    with app.app_context(), freeze_time(later, tick=True):
        document = db.session.get(Contract, contract["id"]).documents[0]
        report = verify(storage().get(document.current.sha256))
    *signatures, stamp = report.signatures
    assert report.indication == "PASSED", [s.trust_problem for s in report.signatures]
    assert stamp.kind == "document_timestamp"
    assert stamp.validation_time >= later.isoformat().replace("+00:00", "Z")
    assert [s.kind for s in signatures] == ["signature", "signature"]
    assert {s.validation_time for s in signatures} == {stamp.timestamp_time}
    assert all(s.indication == "PASSED" for s in signatures)


def test_a_contract_finished_after_its_first_certificates_expired_verifies(app):
    later = datetime.now(UTC) + timedelta(days=40)
    with app.app_context():
        api_app = db.session.get(ApiApp, create_api_app("经销商甲", "JN001")[0].id)
        contract = create_loan(api_app, "SLOW-1", guarantor=False)
        borrower, dealer = contract.signatories[:2]
        contracts.sign_in_turn(contract, borrower, Actor("test"))  # day 0
        with freeze_time(later, tick=True):
            contracts.sign_in_turn(contract, dealer, Actor("test"))  # day 40
            assert contract.status == "COMPLETE"
            report = verify(storage().get(contract.documents[0].current.sha256))
    first, *others, archive = report.signatures
    assert report.indication == "PASSED", [s.trust_problem for s in report.signatures]
    assert archive.kind == "document_timestamp"
    assert first.signer_common_name == "王小明"
    assert first.validation_time == first.timestamp_time  # day 0, its own proof
    assert first.validation_time < archive.timestamp_time
    assert all(s.indication == "PASSED" for s in others)
