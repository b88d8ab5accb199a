"""The evidence package: a zip that proves a contract without the bridge.

It holds every stored revision of every document, the sealed evidence report,
the audit events with their hash chain, and the certificates and CRLs needed to
validate every signature offline. ``sealbridge verify-package`` checks it
(:mod:`bridge.services.package_check`).
"""

from __future__ import annotations

import io
import json
import zipfile

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature

from ..extensions import db
from ..models import Authority
from . import pki
from .contracts import storage
from .evidence import Evidence, sealed_report

__all__ = ["PACKAGE_LAYOUT", "build_package", "revision_path"]

PACKAGE_LAYOUT = """Sealbridge evidence package (证据包)

contract.json        the contract, its signatories (ID numbers masked), documents
events.json          the audit events; hash = sha256(prev_hash + canonical event)
evidence-report.pdf  the evidence report (出证报告), sealed at PAdES B-LTA
documents/           every stored revision of every document (D<doc>-r<n>.pdf)
certs/root.pem       the trust anchor(s)
certs/*.pem          issuing CA, timestamp authority, signers
crls/*.crl           the CAs' CRLs (DER)

Check it offline: sealbridge verify-package THIS.zip [--root ROOT.pem]
"""


def revision_path(document_id: int, number: int) -> str:
    return f"documents/D{document_id}-r{number}.pdf"


def _pem(der: bytes) -> bytes:
    return pem.armor("CERTIFICATE", der)


def _signature_certificates(pdf: bytes) -> list[asn1_x509.Certificate]:
    """Signer certificates and the chains embedded beside them in ``pdf``."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    found = []
    for name, _, field_ref in enumerate_sig_fields(reader, filled_status=True):
        embedded = EmbeddedPdfSignature(reader, field_ref, name)
        found.append(embedded.signer_cert)
        found.extend(embedded.other_embedded_certs)
    return found


def _contract_json(evidence: Evidence) -> dict:
    contract = evidence.contract
    return {
        "id": contract.id,
        "bizId": contract.biz_id,
        "subject": contract.subject,
        "category": contract.category,
        "status": contract.status,
        "tenant": contract.tenant,
        "completedAt": contract.completed_at.isoformat()
        if contract.completed_at
        else None,
        "signatories": [
            {
                "role": s.role,
                "kind": s.kind,
                "name": s.name,
                "idNumber": s.id_number_masked,
                "creditCode": s.credit_code,
                "status": s.status,
            }
            for s in contract.signatories
        ],
        "documents": [
            {
                "title": item.document.title,
                "kind": item.document.kind,
                "revisions": [
                    {
                        "file": revision_path(item.document.id, r.number),
                        "number": r.number,
                        "sha256": r.sha256,
                        "reason": r.reason,
                    }
                    for r in item.revisions
                ],
                "validation": item.validation.to_dict() if item.validation else None,
            }
            for item in evidence.documents
        ],
        "chainHead": evidence.chain_head,
        "issuedAt": evidence.issued_at.isoformat(),
    }


def build_package(evidence: Evidence) -> bytes:
    """The zip of ``evidence``; its report is sealed anew."""
    report = sealed_report(evidence)
    files: dict[str, bytes] = {
        "README.txt": PACKAGE_LAYOUT.encode(),
        "contract.json": _json(_contract_json(evidence)),
        "events.json": _json(
            {
                "contract": evidence.contract.id,
                "head": evidence.chain_head,
                "events": evidence.events,
            }
        ),
        "evidence-report.pdf": report,
    }
    pdfs = [report]
    for item in evidence.documents:
        for revision in item.revisions:
            pdf = storage().get(revision.sha256)
            files[revision_path(item.document.id, revision.number)] = pdf
        pdfs.append(pdf)  # the current revision carries every signature
    files["certs/root.pem"] = b"".join(_pem(r.dump()) for r in pki.trust_roots())
    files["certs/issuing.pem"] = _pem(pki.ca_certificate("issuing"))
    files["certs/tsa.pem"] = _pem(db.session.get(Authority, "tsa").certificate.der)
    for pdf in pdfs:
        for certificate in _signature_certificates(pdf):
            name = certificate.sha256.hex()[:16]
            files[f"certs/signers/{name}.pem"] = _pem(certificate.dump())
    for name in ("root", "issuing"):
        files[f"crls/{name}.crl"] = pki.current_crl(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode()
