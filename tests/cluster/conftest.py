"""An instance on the private PostgreSQL server, with apps, for nodes to share."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from bridge.api.contract_io import parse_upload_request
from bridge.config import INSTANCE_FILE
from bridge.services import contracts, pki
from bridge.services.apps import find_app
from bridge.services.audit import Actor
from bridge.services.seals import create_seal
from tests.instances import app_context_of
from tests.parties import BORROWER
from tests.pdfs import chinese_pdf
from tests.signed_client import new_api_app


@pytest.fixture(scope="module")
def cluster_home(postgres, tmp_path_factory) -> Path:
    """An instance folder whose database is on PostgreSQL, with the PKI and the
    finance company's contract seal (ECDSA keys, quick to make)."""
    home = tmp_path_factory.mktemp("cluster") / "instance"
    home.mkdir()
    url = postgres.create_database(f"cluster_{uuid.uuid4().hex[:8]}")
    (home / INSTANCE_FILE).write_text(
        f'DATABASE_URL = "{url}"\n'
        'PKI_KEY_ALGORITHM = "ecdsa-p256"\n'
        'SEAL_KEY_ALGORITHM = "ecdsa-p256"\n'
    )
    with app_context_of(home):
        pki.ensure_pki()
        create_seal(company="重汽汽车金融有限公司", kind="contract")
    return home


def make_app(home: Path, **options) -> tuple[str, str]:
    """A dealer app on ``home``: ``(app_key, app_secret)``."""
    with app_context_of(home) as app:
        key, secret, _ = new_api_app(app, **options)
    return key, secret


def waiting_contracts(home: Path, app_key: str, count: int) -> list[tuple[str, int]]:
    """``count`` sent contracts, each waiting for one borrower: (id, signatory id)."""
    pdf = chinese_pdf(1)
    made = []
    with app_context_of(home):
        api_app = find_app(app_key)
        for n in range(count):
            meta = {
                "bizId": f"LOAN-{uuid.uuid4().hex[:12]}",
                "subject": f"借款合同 {n}",
                "category": "loan_contract",
                "signatories": [BORROWER],
                "send": True,
            }
            request = parse_upload_request(json.dumps(meta), pdf)
            contract, _ = contracts.create_contract(api_app, request, Actor("test"))
            made.append((contract.id, contract.signatories[0].id))
    return made
