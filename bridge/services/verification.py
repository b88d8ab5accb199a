"""Verifying signed PDFs against the deployment's trust anchors."""

from __future__ import annotations

from ..runtime import runtime
from ..signing.verify import VerificationReport, verify_pdf
from . import pki

__all__ = ["verify"]


def verify(data: bytes) -> VerificationReport:
    """Report on every signature of ``data`` against the embedded and extra roots."""
    return verify_pdf(
        data,
        trust_roots=pki.trust_roots(),
        crls=[crl.dump() for crl in pki.embedded_crls()],
        max_bytes=runtime().config["MAX_UPLOAD_BYTES"],
    )
