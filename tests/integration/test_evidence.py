"""Evidence of a contract: the sealed report (出证报告) and the offline package.

One contract is signed through the API (a borrower who verified their identity
and confirmed by SMS code, then the finance company's automatic seal); its
report and package are checked with poppler and with ``verify-package``.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import Encoding

from bridge import create_app
from bridge.cli import main
from bridge.extensions import db
from bridge.models import Contract
from bridge.pki.certificates import make_name, self_signed_root
from bridge.pki.keystore import generate_key
from bridge.services import pki
from bridge.services.audit import GENESIS, event_digest
from tests.completed_contracts import (
    BORROWER_ID,
    BORROWER_MOBILE,
    create_signed_contract,
    store_clients,
)
from tests.pdfs import chinese_pdf, pdfsig

pytestmark = pytest.mark.database


@pytest.fixture(scope="module")
def bridge(seeded_home, tmp_path_factory, instances):
    home = instances.new(tmp_path_factory.mktemp("evidence") / "instance", seeded_home)
    app = create_app({"HOME": str(home), "CONVERSION_POOL_SIZE": 1})
    apis = store_clients(app)
    contract = create_signed_contract(app, apis["JN001"], "LOAN-EVID-0001")
    yield {"app": app, "home": home, "apis": apis, "contract": contract}
    from bridge.services.conversion import converter

    with app.app_context():
        converter().close()


def _download(bridge, tenant: str, what: str, mimetype: str, folder):
    """GET the contract's ``what`` as ``tenant``; the file it was saved to."""
    response = bridge["apis"][tenant].get(
        f"/api/v1/contracts/{bridge['contract']['id']}/{what}"
    )
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == mimetype
    path = folder / what
    path.write_bytes(response.data)
    return path


@pytest.fixture(scope="module")
def report(bridge, tmp_path_factory):
    return _download(
        bridge,
        "JN001",
        "evidence-report",
        "application/pdf",
        tmp_path_factory.mktemp("r"),
    )


def _text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_report_lists_facts_events_identity_and_chain_head(bridge, report):
    text = _text(report)
    flat = "".join(text.split())
    contract = bridge["contract"]
    for expected in (
        "电子签约出证报告",
        contract["id"],
        "LOAN-EVID-0001",
        "实名认证通过",
        "短信验证码确认签署意愿",
        "203.0.113.7",
        "iPhone",
        "370102********1231",
        "签署完成",
    ):
        assert expected in flat, expected
    assert BORROWER_ID not in flat
    assert BORROWER_MOBILE not in flat
    with bridge["app"].app_context():
        row = db.session.get(Contract, contract["id"])
        head = row.last_event_hash
        revisions = [r.sha256 for d in row.documents for r in d.revisions]
    assert head in flat
    assert all(digest in flat for digest in revisions)
    assert "通过" in flat  # the signatures of the final PDF validated


def test_report_is_sealed_at_b_lta_and_embeds_its_fonts(bridge, report, nss_db):
    signatures = pdfsig(report, nss_db)
    # The platform seal, then its document timestamp (which poppler cannot check).
    seal, timestamp = signatures
    assert seal["Signer Certificate Common Name"] == "重汽汽车金融有限公司合同专用章"
    assert seal["Signature Validation"] == "Signature is Valid."
    assert seal["Certificate Validation"] == "Certificate is Trusted."
    assert timestamp["Signature Field Name"].startswith("Timestamp")
    fonts = subprocess.run(
        ["pdffonts", str(report)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts, "the report has no fonts"
    assert any("CJK" in line or "Fandol" in line for line in fonts)
    # pdffonts columns: name type encoding emb sub uni object ID
    assert all(line.split()[-5] == "yes" for line in fonts), fonts
    result = CliRunner().invoke(
        main, ["--home", str(bridge["home"]), "verify", str(report), "--json"]
    )
    verdict = json.loads(result.output)
    assert verdict["indication"] == "PASSED"
    assert [s["level"] for s in verdict["signatures"]] == ["B-LTA", None]


def test_another_tenants_contract_has_no_evidence(bridge):
    contract_id = bridge["contract"]["id"]
    for path in ("evidence-report", "evidence-package"):
        other = bridge["apis"]["QD002"].get(f"/api/v1/contracts/{contract_id}/{path}")
        assert other.status_code == 404
        assert other.get_json()["code"] == "unknown_contract"
    unsigned = bridge["apis"]["JN001"].client.get(
        f"/api/v1/contracts/{contract_id}/evidence-report"
    )
    assert unsigned.status_code == 401


@pytest.fixture(scope="module")
def package(bridge, tmp_path_factory):
    """Head office's download of the dealer's contract's package."""
    return _download(
        bridge, "*", "evidence-package", "application/zip", tmp_path_factory.mktemp("p")
    )


def verify_package(path, *options):
    return CliRunner().invoke(main, ["verify-package", str(path), *options])


def test_package_holds_everything_to_check_offline(package):
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
    assert {
        "events.json",
        "contract.json",
        "evidence-report.pdf",
        "certs/root.pem",
        "certs/issuing.pem",
        "certs/tsa.pem",
        "crls/root.crl",
        "crls/issuing.crl",
    } <= names
    # The upload, the borrower's signature, the lender's seal, the archive timestamp.
    assert len([n for n in names if n.startswith("documents/")]) == 4
    assert any(n.startswith("certs/signers/") for n in names)
    result = verify_package(package)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("PASSED")


def _tampered(package, folder, name: str, change) -> str:
    """A copy of ``package`` whose member ``name`` is ``change(bytes)``."""
    target = folder / f"tampered-{name.replace('/', '-')}.zip"
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            data = source.read(info)
            copy.writestr(info, change(data) if info.filename == name else data)
    return str(target)


def _final_pdf(package) -> str:
    with zipfile.ZipFile(package) as archive:
        return max(n for n in archive.namelist() if n.startswith("documents/"))


def _edit_events(change):
    def edit(data: bytes) -> bytes:
        exported = json.loads(data)
        change(exported["events"])
        return json.dumps(exported, ensure_ascii=False).encode()

    return edit


def _fails_with(result, *reasons: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1].startswith("FAILED")
    for reason in reasons:
        assert reason in result.output, result.output


def test_one_byte_of_a_pdf_changed(package, tmp_path):
    name = _final_pdf(package)

    def flip(pdf: bytes) -> bytes:
        at = pdf.index(b"stream", len(pdf) // 4) + 40  # inside page content
        return pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]

    _fails_with(
        verify_package(_tampered(package, tmp_path, name, flip)),
        f"{name} (SHA-256",
        "is not a revision recorded in the audit chain",
        "the signed bytes were changed",
    )


def test_one_event_changed(package, tmp_path):
    def change(events):
        events[2]["ip"] = "198.51.100.99"

    _fails_with(
        verify_package(
            _tampered(package, tmp_path, "events.json", _edit_events(change))
        ),
        "audit chain: event 3 (identity_verified) was changed",
    )


def test_events_reordered(package, tmp_path):
    def swap(events):
        events[3], events[4] = events[4], events[3]

    _fails_with(
        verify_package(_tampered(package, tmp_path, "events.json", _edit_events(swap))),
        "audit chain: event 4 of the chain has number 5",
        "out of order",
    )


def test_an_event_changed_and_the_chain_recomputed(package, tmp_path):
    """A forger who rehashes the chain still cannot match the sealed report."""

    def forge(events):
        events[1]["actor"] = "app:someone-else"
        prev = GENESIS
        for event in events:
            event["prev_hash"] = prev
            event["hash"] = prev = event_digest(prev, event)

    def rehead(data: bytes) -> bytes:
        exported = json.loads(_edit_events(forge)(data))
        exported["head"] = exported["events"][-1]["hash"]
        return json.dumps(exported).encode()

    _fails_with(
        verify_package(_tampered(package, tmp_path, "events.json", rehead)),
        "does not state the chain head of events.json",
    )


@pytest.fixture(scope="module")
def foreign_root(tmp_path_factory):
    key = generate_key("ecdsa-p256")
    root = self_signed_root(
        key, make_name("Forged Root CA"), now=datetime.now(UTC), days=365
    )
    path = tmp_path_factory.mktemp("forged") / "root.pem"
    path.write_bytes(root.public_bytes(Encoding.PEM))
    return path


def test_a_certificate_swapped(package, tmp_path, foreign_root):
    _fails_with(
        verify_package(
            _tampered(
                package, tmp_path, "certs/root.pem", lambda _: foreign_root.read_bytes()
            )
        ),
        "is INDETERMINATE",
        "no chain to a configured trust root",
    )


def test_the_expected_root_can_be_pinned(bridge, package, tmp_path, foreign_root):
    _fails_with(
        verify_package(package, "--root", str(foreign_root)),
        "certs/root.pem is not the expected root",
    )
    with bridge["app"].app_context():
        (tmp_path / "root.pem").write_text(pki.root_certificate_pem())
    assert verify_package(package, "--root", str(tmp_path / "root.pem")).exit_code == 0


def test_a_report_replaced_by_an_unsealed_one(package, tmp_path):
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(chinese_pdf(1, keyword="审计哈希链头"))
    _fails_with(
        verify_package(
            _tampered(
                package, tmp_path, "evidence-report.pdf", lambda _: forged.read_bytes()
            )
        ),
        "evidence-report.pdf is not sealed",
        "does not state the chain head",
    )


def test_an_unreadable_certificate_is_named(package, tmp_path):
    _fails_with(
        verify_package(
            _tampered(
                package, tmp_path, "certs/tsa.pem", lambda _: b"not a certificate"
            )
        ),
        "certs/tsa.pem cannot be read",
    )


def test_not_a_package(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    result = verify_package(junk)
    assert result.exit_code == 2
    assert "[invalid_package]" in result.output


def test_operators_write_reports_and_packages_from_the_shell(bridge, tmp_path):
    def sealbridge(*args):
        return CliRunner().invoke(main, ["--home", str(bridge["home"]), *args])

    contract_id = bridge["contract"]["id"]
    made = sealbridge("evidence", "package", contract_id, str(tmp_path / "p.zip"))
    assert made.exit_code == 0, made.output
    assert verify_package(tmp_path / "p.zip").exit_code == 0
    unknown = sealbridge("evidence", "report", "nope", str(tmp_path / "r.pdf"))
    assert unknown.exit_code == 2
    assert "[unknown_contract]" in unknown.output
    assert not (tmp_path / "r.pdf").exists()
