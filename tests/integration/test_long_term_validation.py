"""Signatures stay valid after their certificates expire, as PAdES-LTA intends.

A person's event certificate lasts 30 days. A contract whose last party signs
40 days after the first still verifies: the first signatures are checked at
the time their own signature timestamps prove, those timestamps at the time
the archive timestamp proves, and that one on the day of the check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from bridge.extensions import db
from bridge.models import ApiApp
from bridge.services import contracts
from bridge.services.apps import create_api_app
from bridge.services.audit import Actor
from bridge.services.storage import storage
from bridge.services.verification import verify
from tests.signer_contracts import create_loan

pytestmark = pytest.mark.database


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
