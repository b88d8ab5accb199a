"""Offline check of an evidence package: nothing but the zip and, maybe, a root.

It recomputes the audit hash chain, finds its head in the sealed evidence
report, ties every PDF to a revision the chain recorded, and validates every
signature with pyHanko against the package's root, with the package's
certificates and CRLs and no fetching. Each problem is one sentence naming
the file or event at fault.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from ..errors import BridgeError, InvalidInputError
from ..signing.verify import PASSED, verify_pdf
from .audit import chain_break

__all__ = ["PackageCheck", "check_package"]

_MAX_MEMBER_BYTES = 200 * 1024 * 1024
_MAX_MEMBERS = 10_000
_REPORT = "evidence-report.pdf"


@dataclass
class PackageCheck:
    """What was checked (``passed``) and what failed (``problems``)."""

    contract_id: str | None = None
    root_fingerprints: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.passed)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "contract": self.contract_id,
            "rootFingerprints": self.root_fingerprints,
            "passed": self.passed,
            "problems": self.problems,
        }


def _members(data: bytes) -> dict[str, bytes]:
    """Every file of the zip, read in memory (never extracted), within limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > _MAX_MEMBERS or any(
            i.file_size > _MAX_MEMBER_BYTES for i in infos
        ):
            raise InvalidInputError(
                "The package has too many or too large files.", code="invalid_package"
            )
        return {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise InvalidInputError(
            f"The package is not a readable zip file: {exc}.", code="invalid_package"
        ) from exc


def _certificates(blob: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate of a PEM bundle or DER file, parsed now (ValueError)."""
    ders = (
        [der for _, _, der in pem.unarmor(blob, True)] if pem.detect(blob) else [blob]
    )
    certificates = [asn1_x509.Certificate.load(der, strict=True) for der in ders]
    for certificate in certificates:
        certificate.native  # noqa: B018 - parse every field before validation uses it
    return certificates


def _check_chain(check: PackageCheck, files: dict[str, bytes]) -> list[dict]:
    try:
        exported = json.loads(files["events.json"])
        events = exported["events"]
        check.contract_id = exported["contract"]
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise TypeError("events is not a list of objects")
    except (KeyError, TypeError, ValueError):
        check.problems.append("events.json is not the events' JSON")
        return []
    problem = chain_break(events)
    head = events[-1]["hash"] if events else None
    if problem:
        check.problems.append(f"audit chain: {problem}")
    elif exported.get("head") != head:
        check.problems.append("audit chain: events.json names another chain head")
    elif any(e.get("contract") != check.contract_id for e in events):
        check.problems.append("audit chain: an event belongs to another contract")
    else:
        check.passed.append(f"audit chain: {len(events)} events, head {head}")
    return events


def _report_text(pdf: bytes) -> str:
    """The report's text without white space, so a hash wrapped over lines is whole."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode()
    return "".join(text.split())


def _check_report_states(check: PackageCheck, report: bytes, events) -> None:
    """The sealed report must state the chain head the events recompute to."""
    if not events:
        return
    try:
        text = _report_text(report)
    except (OSError, subprocess.SubprocessError):
        text = ""
    if events[-1]["hash"] in text:
        check.passed.append("evidence report states the chain head")
    else:
        check.problems.append(
            f"{_REPORT} does not state the chain head of events.json: "
            "the events or the report were replaced"
        )


def _check_recorded(check: PackageCheck, files, events) -> None:
    """Every document is a revision the chain recorded; the final one is there."""
    recorded = {e["document_sha256"] for e in events if e.get("document_sha256")}
    present = set()
    for name, data in files.items():
        if not name.startswith("documents/"):
            continue
        digest = hashlib.sha256(data).hexdigest()
        present.add(digest)
        if digest not in recorded:
            check.problems.append(
                f"{name} (SHA-256 {digest}) is not a revision recorded "
                "in the audit chain: it was changed or added"
            )
    final = [e["document_sha256"] for e in events if e.get("type") == "completed"]
    if final and final[-1] not in present:
        check.problems.append(
            f"the final document (SHA-256 {final[-1]}) named by the audit chain "
            "is missing from documents/"
        )
    elif present:
        check.passed.append(
            f"documents: {len(present)} revisions recorded in the chain"
        )


def _material(check: PackageCheck, files) -> tuple[list, list[bytes]]:
    """The package's certificates and CRLs; an unreadable one is a problem."""
    certificates, crls = [], []
    for name, blob in sorted(files.items()):
        try:
            if name.startswith("certs/") and name.endswith(".pem"):
                certificates += _certificates(blob)
            elif name.startswith("crls/"):
                crls.append(asn1_crl.CertificateList.load(blob, strict=True).dump())
        except (ValueError, TypeError, KeyError) as exc:
            check.problems.append(f"{name} cannot be read: {exc}")
    return certificates, crls


def _check_signatures(check: PackageCheck, files, roots, pinned) -> None:
    others, crls = _material(check, files)
    if pinned is not None and not {r.sha256 for r in roots} & {
        p.sha256 for p in pinned
    }:
        check.problems.append(
            "certs/root.pem is not the expected root: the certificates were swapped"
        )
    for name in sorted(n for n in files if n.endswith(".pdf")):
        try:
            report = verify_pdf(
                files[name], trust_roots=roots, crls=crls, other_certs=others
            )
        except BridgeError as exc:
            check.problems.append(f"{name}: not a readable PDF ({exc.message})")
            continue
        signatures = list(report.signatures)
        if not signatures:
            if name == _REPORT:
                check.problems.append(f"{name} is not sealed")
            continue  # an unsigned first revision of a document
        bad = [s for s in signatures if s.indication != PASSED]
        for s in bad:
            why = (
                "the signed bytes were changed"
                if not s.intact
                else s.trust_problem or s.modifications_text
            )
            check.problems.append(
                f"{name}: signature {s.field_name} ({s.signer_common_name}) "
                f"is {s.indication}: {why}"
            )
        if not bad:
            check.passed.append(f"{name}: {len(signatures)} signatures PASSED")


def check_package(data: bytes, pinned_root: bytes | None = None) -> PackageCheck:
    """Check an evidence package offline; ``pinned_root`` is the expected anchor."""
    files = _members(data)
    check = PackageCheck()
    missing = [
        name for name in ("events.json", _REPORT, "certs/root.pem") if name not in files
    ]
    if missing:
        check.problems.append("missing from the package: " + ", ".join(missing))
        return check
    try:
        roots = _certificates(files["certs/root.pem"])
        pinned = _certificates(pinned_root) if pinned_root is not None else None
    except (ValueError, TypeError) as exc:
        check.problems.append(f"a root certificate cannot be read: {exc}")
        return check
    check.root_fingerprints = [r.sha256.hex() for r in roots]
    events = _check_chain(check, files)
    _check_report_states(check, files[_REPORT], events)
    _check_recorded(check, files, events)
    _check_signatures(check, files, roots, pinned)
    return check
