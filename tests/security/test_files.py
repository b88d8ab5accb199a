"""Hostile PDFs and .docx files at every upload endpoint: a clear 4xx, no hang.

Each file is sent to the endpoints that take it (``/api/v1/verify`` and the
contract upload for PDFs, ``/api/v1/convert`` for .docx). The answer must be a
4xx JSON error with a code, inside a generous limit that only a hang exceeds,
and ``GET /health`` must still answer 200 afterwards.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from bridge import create_app
from bridge.documents.docx_input import check_docx
from bridge.errors import BridgeError
from bridge.extensions import db
from bridge.services.sealing import seal_pdf
from bridge.signing.sealer import SealOptions, SignatureLevel
from tests.completed_contracts import store_clients
from tests.security.conftest import upload
from tests.security.hostile_files import (
    DOCXS,
    PDFS,
    SEAL_PLACEMENTS,
    svg_with_doctype,
)
from tests.signed_client import multipart_body

BROKEN_STRUCTURE = {
    "truncated",
    "broken_xref",
    "wrong_startxref",
    "page_tree_loop",
    "reference_loop",
    "deep_nesting",
}
HANG = 60  # seconds: far beyond any honest answer, only a hang gets here
CORPUS = Path(__file__).parent / "corpus"
FOUND_PDFS = sorted(CORPUS.glob("*.pdf"))
FOUND_DOCXS = sorted(CORPUS.glob("*.docx"))


@pytest.fixture(scope="module")
def world(seeded_home, instances, tmp_path_factory):
    home = instances.new(tmp_path_factory.mktemp("files") / "i", copy_of=seeded_home)
    # Each file is verified once here; the hourly budget is test_rate_limits'.
    app = create_app({"HOME": str(home), "VERIFICATIONS_PER_IP_PER_HOUR": 10_000})
    return app, store_clients(app)["JN001"]


def _within_limit(call):
    """``call()``'s answer; fails the test if it takes longer than a hang."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("r", call()))
    thread.daemon = True
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"no answer within {HANG} s"
    return outcome["r"]


def _assert_clear_refusal(response, app) -> None:
    body = response.get_json()
    assert 400 <= response.status_code < 500, (response.status_code, body)
    assert body, response.data[:300]
    assert body.get("code"), body
    assert "Traceback" not in response.get_data(as_text=True)
    assert app.test_client().get("/health").status_code == 200


def _verify(app, pdf: bytes):
    """``POST /api/v1/verify``: anyone may."""
    return app.test_client().post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(pdf), "x.pdf")},
        content_type="multipart/form-data",
    )


def _convert(store, docx: bytes):
    """``POST /api/v1/convert``, signed by a store's app."""
    fields = {"file": (io.BytesIO(docx), "x.docx")}
    return store.post("/api/v1/convert", **multipart_body(fields))


@pytest.mark.parametrize("name", [*PDFS, *(p.name for p in FOUND_PDFS)])
def test_hostile_pdfs_are_refused_clearly(world, name):
    app, store = world
    data = PDFS[name]() if name in PDFS else (CORPUS / name).read_bytes()
    verified = _within_limit(lambda: _verify(app, data))
    if verified.status_code == 200:  # a readable PDF with nothing signed
        assert verified.get_json()["signatures"] == []
    else:
        _assert_clear_refusal(verified, app)
    created = _within_limit(lambda: upload(store, f"SEC-FILE-{name}", pdf=data))
    _assert_clear_refusal(created, app)
    if name in BROKEN_STRUCTURE:  # refused on upload, not later when sealing
        assert created.get_json()["code"] == "invalid_pdf"


@pytest.mark.parametrize("path", FOUND_PDFS, ids=lambda p: p.name)
def test_fuzzer_findings_are_refused_when_sealing(world, path, seal_names):
    """Sealing a stored PDF (signing, operators, OA stamps) at every placement."""
    app, _ = world
    with app.app_context():
        for placement in SEAL_PLACEMENTS:
            refusal = _seal_refusal(
                path.read_bytes(), seal_names["contract"], placement
            )
            if refusal is not None:
                assert 400 <= refusal.status < 500, (placement, refusal.code)


def _seal_refusal(pdf: bytes, seal: str, placement) -> BridgeError | None:
    try:
        seal_pdf(pdf, seal, SealOptions(placement, level=SignatureLevel.B_B))
    except BridgeError as exc:
        return exc
    finally:
        db.session.rollback()
    return None


@pytest.mark.parametrize("name", [*DOCXS, *(p.name for p in FOUND_DOCXS)])
def test_hostile_docx_files_are_refused_clearly(world, name):
    app, store = world
    data = DOCXS[name]() if name in DOCXS else (CORPUS / name).read_bytes()
    converted = _within_limit(lambda: _convert(store, data))
    _assert_clear_refusal(converted, app)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("zip_bomb", "zip_bomb"),
        ("external_entity", "dtd_forbidden"),
        ("entity_in_utf16_part", "dtd_forbidden"),
        ("entity_in_svg_image", "dtd_forbidden"),
        ("traversal_name", "invalid_docx"),
        ("macros", "macros_not_allowed"),
    ],
)
def test_docx_attacks_are_named(world, name, code):
    _, store = world
    response = _convert(store, DOCXS[name]())
    assert response.get_json()["code"] == code


def test_an_svg_logo_with_a_plain_doctype_passes_the_screen():
    """Design tools write a DOCTYPE into SVGs; only entity declarations are refused."""
    check_docx(svg_with_doctype())
