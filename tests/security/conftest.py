"""The attack battery's fixtures, and the log watch over the whole session.

The log handler is installed when this file is imported, i.e. during
collection, before the first test of the session runs; the test that reads
the log (``test_secrets.py::test_nothing_secret_was_logged``) is moved to the
very end of the session by :func:`pytest_collection_modifyitems`.
"""

from __future__ import annotations

import io
import json

import pytest

from tests import log_watch
from tests.completed_contracts import store_clients
from tests.parties import BORROWER, LENDER
from tests.pdfs import chinese_pdf
from tests.signed_client import multipart_body

log_watch.install()

LAST = "test_nothing_secret_was_logged"


def pytest_collection_modifyitems(items):
    last = [item for item in items if item.name == LAST]
    for item in last:
        items.remove(item)
    items.extend(last)


def upload_body(
    biz_id: str, *, send: bool = True, pdf: bytes | None = None, borrower=BORROWER
) -> dict:
    """The multipart body and content type creating a contract from a PDF."""
    meta = {
        "bizId": biz_id,
        "subject": "个人汽车消费借款合同",
        "category": "loan_contract",
        "send": send,
        "signatories": [borrower, LENDER],
    }
    return multipart_upload(meta, pdf or chinese_pdf(2))


def multipart_upload(meta, pdf: bytes) -> dict:
    """The multipart body (``meta`` as JSON, ``pdf`` as the file) and its type."""
    return multipart_body(
        {
            "meta": json.dumps(meta, ensure_ascii=False),
            "file": (io.BytesIO(pdf), "loan.pdf", "application/pdf"),
        }
    )


def upload(api, biz_id: str, **options):
    """POST /api/v1/contracts with an uploaded PDF; the response."""
    return api.post("/api/v1/contracts", **upload_body(biz_id, **options))


@pytest.fixture
def stores(app) -> dict:
    """Signed clients of stores JN001 and QD002 and of head office (``*``)."""
    return store_clients(app)


@pytest.fixture
def contract_of_jn(stores) -> dict:
    """A contract of store JN001, out for signing."""
    response = upload(stores["JN001"], "SEC-TENANCY-1")
    assert response.status_code == 201, response.get_json()
    return response.get_json()
