"""Signing PDFs: with a named seal (logged in its usage log) or as a person."""

from __future__ import annotations

import dataclasses
import hashlib

from ..errors import ConflictError
from ..extensions import db
from ..models import Certificate, Seal, SealUsage, utcnow
from ..runtime import runtime
from ..signing.appearance import SealArtwork
from ..signing.cms import CmsSigner
from ..signing.sealer import PdfSealer, SealOptions, SealResult, SignatureLevel
from . import pki
from .seals import find_seal

__all__ = ["seal_pdf", "sign_as"]


def _build_sealer(certificate: Certificate, artwork: SealArtwork) -> PdfSealer:
    signer = CmsSigner(
        runtime().keystore.load(certificate.key_ref),
        pki.as_asn1(certificate),
        pki.certificate_chain(certificate),
    )
    return PdfSealer(
        signer,
        artwork,
        timestamper=pki.timestamper(),
        long_term=pki.long_term_material(certificate),
        max_bytes=runtime().config["MAX_UPLOAD_BYTES"],
    )


def _sealer(seal: Seal) -> PdfSealer:
    """The prepared sealer of ``seal``; a new image or certificate makes a new one."""
    certificate = seal.certificate
    image_digest = hashlib.sha256(seal.image_png).hexdigest()
    # A renewed TSA certificate makes new sealers too (timestamper, B-LT data).
    return runtime().cached(
        ("sealer", seal.id, certificate.id, image_digest, id(pki.timestamper())),
        lambda: _build_sealer(
            certificate,
            SealArtwork.from_png(seal.image_png, seal.width_mm, seal.height_mm),
        ),
    )


def sign_as(
    pdf: bytes, certificate: Certificate, artwork: SealArtwork, options: SealOptions
) -> SealResult:
    """Sign ``pdf`` with a person's (event) certificate and handwriting."""
    return _build_sealer(certificate, artwork).seal(pdf, options)


def _check_usable(seal: Seal) -> None:
    certificate = seal.certificate
    now = utcnow()
    not_after = certificate.not_after
    if not_after.tzinfo is None:
        not_after = not_after.replace(tzinfo=now.tzinfo)
    if certificate.revoked_at is not None:
        raise ConflictError(
            f"The certificate of seal {seal.name!r} is revoked.", code="seal_revoked"
        )
    if not_after < now:
        raise ConflictError(
            f"The certificate of seal {seal.name!r} has expired.", code="seal_expired"
        )


def seal_pdf(pdf: bytes, seal_ref: str, options: SealOptions) -> SealResult:
    """Apply the seal named ``seal_ref`` to ``pdf`` and log the use."""
    seal = find_seal(seal_ref)
    _check_usable(seal)
    result = _sealer(seal).seal(pdf, options)
    placement = dataclasses.asdict(options.placement)
    placement["type"] = type(options.placement).__name__
    db.session.add(
        SealUsage(
            seal_id=seal.id,
            field_name=result.field_name,
            level=SignatureLevel(options.level).value,
            placement=placement,
            input_sha256=hashlib.sha256(pdf).hexdigest(),
            output_sha256=hashlib.sha256(result.pdf).hexdigest(),
        )
    )
    db.session.commit()
    return result
