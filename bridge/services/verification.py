"""Verifying signed PDFs against the deployment's trust anchors."""

from __future__ import annotations

from ..extensions import db
from ..runtime import runtime
from ..signing.verify import VerificationReport, verify_pdf
from . import pki
from .otp import throttle

__all__ = ["verify", "verify_for_anyone"]


def verify(data: bytes) -> VerificationReport:
    """Report on every signature of ``data`` against the embedded and extra roots."""
    return verify_pdf(
        data,
        trust_roots=pki.trust_roots(),
        crls=[crl.dump() for crl in pki.embedded_crls()],
        max_bytes=runtime().config["MAX_UPLOAD_BYTES"],
    )


def verify_for_anyone(data: bytes, client_ip: str) -> VerificationReport:
    """:func:`verify` for an unauthenticated caller, within its address's hourly budget.

    Verification is public (a recipient checks what they were sent), so the
    budget is what keeps one address from keeping the validators busy.

    :raises CodeError: 429 ``rate_limited`` past ``VERIFICATIONS_PER_IP_PER_HOUR``.
    """
    throttle(
        f"verify-ip:{client_ip}",
        runtime().config["VERIFICATIONS_PER_IP_PER_HOUR"],
        code="rate_limited",
    )
    db.session.commit()
    return verify(data)
