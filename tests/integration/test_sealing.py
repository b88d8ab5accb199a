"""Sealing PDFs end to end through the CLI, checked with poppler and pdfplumber."""

from __future__ import annotations

import hashlib
import json
import subprocess

import pdfplumber
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from bridge import create_app
from bridge.services import pki
from tests.pdfs import chinese_pdf, pdfsig, red_fraction, widgets


def _validation_context(home):
    with create_app({"HOME": str(home)}).app_context():
        return ValidationContext(
            trust_roots=pki.trust_roots(),
            crls=pki.embedded_crls(),
            allow_fetching=False,
        )


def test_four_sequential_seals_all_stay_valid(
    seal_file, cli, home, tmp_path, seal_names, nss_db
):
    steps = [
        (seal_names["dealer"], "--page", "1", "--x", "200", "--y", "300"),
        (seal_names["contract"], "--keyword", "甲方（盖章）", "--level", "B-B"),
        (seal_names["finance"], "--riding"),
        (
            seal_names["official"],
            "--page",
            "-1",
            "--x",
            "450",
            "--y",
            "200",
            "--date",
            "--level",
            "B-LT",
        ),
    ]
    current = tmp_path / "contract.pdf"
    current.write_bytes(chinese_pdf(4))
    for number, (seal, *placement) in enumerate(steps, start=1):
        target = tmp_path / f"sealed-{number}.pdf"
        seal_file(current, target, seal, *placement)
        current = target

    poppler = pdfsig(current, nss_db)
    assert [s["Signature Field Name"] for s in poppler] == [
        "Seal1",
        "Seal2",
        "Seal3",
        "Seal4",
    ]
    for signature in poppler:
        assert signature["Signature Validation"] == "Signature is Valid."
        assert signature["Certificate Validation"] == "Certificate is Trusted."
        assert signature["Signature Type"] == "ETSI.CAdES.detached"

    context = _validation_context(home)
    with current.open("rb") as handle:
        for embedded in PdfFileReader(handle).embedded_signatures:
            status = validate_pdf_signature(embedded, context)
            assert status.intact
            assert status.valid
            assert status.trusted
            assert status.modification_level <= ModificationLevel.FORM_FILLING

    report = json.loads(cli("verify", str(current), "--json").output)
    assert report["indication"] == "PASSED"
    assert [s["level"] for s in report["signatures"]] == ["B-LT", "B-B", "B-LT", "B-LT"]


def test_keyword_seal_is_centred_on_the_keyword(seal_file, tmp_path, seal_names):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(2, keyword="乙方签章处"))
    target = tmp_path / "out.pdf"
    seal_file(source, target, seal_names["contract"], "--keyword", "乙方签章处")

    with pdfplumber.open(target) as document:
        page = document.pages[-1]
        (match,) = page.search("乙方签章处")
        (widget,) = widgets(page)
    keyword_centre = (
        (match["x0"] + match["x1"]) / 2,
        (match["top"] + match["bottom"]) / 2,
    )
    widget_centre = (
        (widget["x0"] + widget["x1"]) / 2,
        (widget["top"] + widget["bottom"]) / 2,
    )
    assert widget_centre == pytest.approx(keyword_centre, abs=0.5)
    assert widget["x1"] - widget["x0"] == pytest.approx(42 * 72 / 25.4, abs=0.1)


def test_keyword_index_all_and_offset(seal_file, tmp_path, seal_names):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(3, keyword="借款人"))
    target = tmp_path / "out.pdf"
    seal_file(
        source,
        target,
        seal_names["dealer"],
        "--keyword",
        "足额还款",
        "--index",
        "last",
        "--offset",
        "10,-20",
    )
    with pdfplumber.open(target) as document:
        page = document.pages[-1]
        match = page.search("足额还款")[-1]
        (widget,) = widgets(page)
    assert (widget["x0"] + widget["x1"]) / 2 == pytest.approx(
        (match["x0"] + match["x1"]) / 2 + 10, abs=0.5
    )
    assert (widget["top"] + widget["bottom"]) / 2 == pytest.approx(
        (match["top"] + match["bottom"]) / 2 + 20, abs=0.5
    )


def test_riding_seal_shows_on_the_right_edge_of_every_page(
    seal_file, tmp_path, seal_names, nss_db
):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(5))
    first = tmp_path / "first.pdf"
    seal_file(
        source,
        first,
        seal_names["official"],
        "--page",
        "1",
        "--x",
        "300",
        "--y",
        "400",
    )
    target = tmp_path / "riding.pdf"
    seal_file(first, target, seal_names["finance"], "--riding", "--y", "420")

    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(target), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 5
    for png in pages:
        from PIL import Image

        with Image.open(png) as image:
            width, height = image.size
        scale = 40 / 72
        top = int(height - 420 * scale - 30 * scale)
        edge = (width - int(8 * scale) - 2, top, width, top + int(60 * scale))
        middle = (width // 2 - 20, 20, width // 2 + 20, 60)
        assert red_fraction(png, edge) > 0.05, png.name
        assert red_fraction(png, middle) == 0
    poppler = pdfsig(target, nss_db)
    assert [s["Signature Validation"] for s in poppler] == ["Signature is Valid."] * 2


@pytest.mark.parametrize(
    ("level", "timestamped", "dss", "doc_timestamp"),
    [
        ("B-B", False, False, False),
        ("B-T", True, False, False),
        ("B-LT", True, True, False),
        ("B-LTA", True, True, True),
    ],
)
def test_signature_levels(
    seal_file, cli, tmp_path, seal_names, level, timestamped, dss, doc_timestamp
):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    target = tmp_path / "out.pdf"
    seal_file(
        source,
        target,
        seal_names["official"],
        "--x",
        "300",
        "--y",
        "300",
        "--level",
        level,
    )
    report = json.loads(cli("verify", str(target), "--json").output)
    signature = report["signatures"][0]
    assert report["indication"] == "PASSED"
    assert signature["level"] == level
    assert (signature["timestamp_time"] is not None) == timestamped
    with target.open("rb") as handle:
        reader = PdfFileReader(handle)
        assert ("/DSS" in reader.root) == dss
        kinds = [s.sig_object.get("/Type") for s in reader.embedded_signatures]
    assert ("/DocTimeStamp" in kinds) == doc_timestamp


def test_usage_is_logged(seal_file, home, tmp_path, seal_names):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    target = tmp_path / "out.pdf"
    seal_file(source, target, seal_names["official"], "--x", "300", "--y", "300")
    from bridge.extensions import db
    from bridge.models import SealUsage

    with create_app({"HOME": str(home)}).app_context():
        (usage,) = db.session.query(SealUsage).all()
    assert usage.output_sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert usage.input_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert usage.placement["type"] == "PagePlacement"
