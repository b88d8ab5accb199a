"""Signing links: a hash at rest, bound to one signatory, dead when revoked or old."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bridge.errors import BridgeError
from bridge.extensions import db
from bridge.models import ApiApp, SigningLink, utcnow
from bridge.services.apps import create_api_app
from bridge.services.signing_links import resolve_link, revoke_links
from tests.signer_contracts import BORROWER, create_loan, link_path


@pytest.fixture
def loan(app):
    with app.app_context():
        api_app = db.session.get(ApiApp, create_api_app("经销商甲", "JN001")[0].id)
        yield create_loan(api_app, "T-1")


def _code(call) -> str:
    with pytest.raises(BridgeError) as caught:
        call()
    return caught.value.code


def test_a_token_is_stored_only_as_its_hash_and_names_one_signatory(loan):
    token = link_path(BORROWER["mobile"]).split("/")[-1]
    (stored,) = db.session.scalars(db.select(SigningLink)).all()
    assert token not in stored.token_hash
    assert len(token) >= 43  # 32 random bytes
    link = resolve_link(token)
    assert (link.contract_id, link.signatory_id) == (loan.id, loan.signatories[0].id)
    assert _code(
        lambda: resolve_link(token[:-1] + ("A" if token[-1] != "A" else "B"))
    ) == ("unknown_link")
    assert _code(lambda: resolve_link("short")) == "unknown_link"


def test_revoked_and_old_links_are_gone(app, loan):
    token = link_path(BORROWER["mobile"]).split("/")[-1]
    link = resolve_link(token)
    link.created_at = utcnow() - timedelta(days=31)  # no contract deadline: 30 days
    db.session.commit()
    assert _code(lambda: resolve_link(token)) == "link_expired"
    link.created_at = utcnow()
    revoke_links(loan, "recalled")
    db.session.commit()
    assert _code(lambda: resolve_link(token)) == "link_revoked"
