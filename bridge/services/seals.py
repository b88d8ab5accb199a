"""Seals: create (image + certificate), import from PKCS#12, replace the image, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import or_, select

from ..errors import ConflictError, InvalidInputError, UnknownSealError
from ..extensions import db
from ..models import Certificate, Seal
from ..pki.certificates import Profile, make_name
from ..pki.keystore import generate_key
from ..runtime import runtime
from ..signing.seal_image import SealKind, draw_seal, import_scan, shape_of
from . import pki

__all__ = [
    "SealSummary",
    "create_seal",
    "find_seal",
    "import_p12",
    "list_seals",
    "replace_image",
]

_KIND_LABELS = {
    SealKind.OFFICIAL: "公章",
    SealKind.CONTRACT: "合同专用章",
    SealKind.FINANCE: "财务专用章",
    SealKind.LEGAL_REP: "法人章",
    SealKind.PERSONAL: "个人章",
}
_PERSONAL_KINDS = (SealKind.LEGAL_REP, SealKind.PERSONAL)
_SEAL_CERTIFICATE_DAYS = 3 * 365


@dataclass(frozen=True)
class SealSummary:
    id: str
    name: str
    kind: str
    company: str
    holder: str | None
    image_source: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime
    revoked: bool

    def to_dict(self) -> dict:
        data = self.__dict__.copy()
        data["not_before"] = self.not_before.isoformat()
        data["not_after"] = self.not_after.isoformat()
        return data


def _summary(seal: Seal) -> SealSummary:
    certificate = seal.certificate
    return SealSummary(
        id=seal.id,
        name=seal.name,
        kind=seal.kind,
        company=seal.company,
        holder=seal.holder,
        image_source=seal.image_source,
        fingerprint_sha256=certificate.fingerprint_sha256,
        not_before=certificate.not_before,
        not_after=certificate.not_after,
        revoked=certificate.revoked_at is not None,
    )


def parse_kind(kind: str) -> SealKind:
    try:
        return SealKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in SealKind)
        raise InvalidInputError(
            f"Unknown seal kind {kind!r}: use one of {allowed}.",
            code="invalid_seal_kind",
        ) from None


def _default_name(company: str, kind: SealKind, holder: str | None) -> str:
    if kind is SealKind.PERSONAL:
        return f"{holder}{_KIND_LABELS[kind]}"
    if kind is SealKind.LEGAL_REP:
        return f"{company}{_KIND_LABELS[kind]}（{holder}）"
    return f"{company}{_KIND_LABELS[kind]}"


def _check_name_free(name: str) -> None:
    if db.session.scalar(select(Seal.id).where(Seal.name == name)) is not None:
        raise ConflictError(
            f"A seal named {name!r} exists already.", code="seal_exists"
        )


def _image_for(kind: SealKind, company: str, holder: str | None) -> bytes:
    return draw_seal(kind, holder if kind in _PERSONAL_KINDS else company)


def create_seal(
    *,
    company: str,
    kind: str,
    name: str | None = None,
    holder: str | None = None,
    credit_code: str | None = None,
) -> SealSummary:
    """Draw a seal and issue its certificate from the embedded CA.

    :param holder: the person named on a legal-representative or personal seal.
    :param credit_code: the company's unified social credit code, put in the
        certificate subject's serialNumber.
    """
    seal_kind = parse_kind(kind)
    company = company.strip()
    if not company:
        raise InvalidInputError("The company name is empty.", code="invalid_company")
    if seal_kind in _PERSONAL_KINDS and not (holder and holder.strip()):
        raise InvalidInputError(
            f"A {seal_kind.value} seal needs the holder's name (--holder).",
            code="holder_required",
        )
    name = (name or _default_name(company, seal_kind, holder)).strip()
    _check_name_free(name)
    pki.ensure_pki()
    key = generate_key(runtime().config["SEAL_KEY_ALGORITHM"])
    subject = make_name(
        name,
        organization=company,
        organizational_unit=_KIND_LABELS[seal_kind],
        serial_number=credit_code,
    )
    certificate = pki.issue(
        subject, key, profile=Profile.SEAL, days=_SEAL_CERTIFICATE_DAYS, role="seal"
    )
    shape = shape_of(seal_kind)
    seal = Seal(
        name=name,
        kind=seal_kind.value,
        company=company,
        holder=holder,
        image_png=_image_for(seal_kind, company, holder),
        width_mm=shape.width_mm,
        height_mm=shape.height_mm,
        certificate=certificate,
    )
    db.session.add(seal)
    db.session.commit()
    return _summary(seal)


def import_p12(
    data: bytes,
    *,
    password: str | None,
    name: str,
    kind: str = "official",
    company: str | None = None,
    holder: str | None = None,
) -> SealSummary:
    """Make a seal of a CA-issued certificate and key from a PKCS#12 file."""
    seal_kind = parse_kind(kind)
    _check_name_free(name)
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except ValueError as exc:
        raise InvalidInputError(
            "The PKCS#12 file cannot be opened: wrong password or damaged file.",
            code="invalid_p12",
        ) from exc
    if certificate is None or not isinstance(
        key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    ):
        raise InvalidInputError(
            "The PKCS#12 file holds no RSA or EC key with its certificate.",
            code="invalid_p12",
        )
    pki.ensure_pki()
    authorities = list(extra or ())
    ca_rows = [_existing_or_stored(ca, role="imported_ca") for ca in authorities]
    by_subject = {row.subject: row for row in ca_rows}
    for ca, row in zip(authorities, ca_rows, strict=True):
        if ca.issuer != ca.subject and row.issuer is None:
            row.issuer = by_subject.get(ca.issuer.rfc4514_string())
    cert_row = pki.store_certificate(
        certificate,
        role="imported",
        key_ref=runtime().keystore.store(key),
        issuer=by_subject.get(certificate.issuer.rfc4514_string()),
    )
    organizations = certificate.subject.get_attributes_for_oid(
        NameOID.ORGANIZATION_NAME
    )
    common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    company = company or str(
        (organizations or common_names)[0].value
        if (organizations or common_names)
        else name
    )
    shape = shape_of(seal_kind)
    seal = Seal(
        name=name,
        kind=seal_kind.value,
        company=company,
        holder=holder,
        image_png=_image_for(seal_kind, company, holder or company),
        width_mm=shape.width_mm,
        height_mm=shape.height_mm,
        certificate=cert_row,
    )
    db.session.add(seal)
    db.session.commit()
    return _summary(seal)


def _existing_or_stored(certificate, *, role: str) -> Certificate:
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    existing = db.session.scalar(
        select(Certificate).where(Certificate.fingerprint_sha256 == fingerprint)
    )
    if existing is not None:
        return existing
    return pki.store_certificate(certificate, role=role, key_ref=None, issuer=None)


def find_seal(ref: str) -> Seal:
    """The seal with id or name ``ref``."""
    seal = db.session.scalar(select(Seal).where(or_(Seal.id == ref, Seal.name == ref)))
    if seal is None:
        raise UnknownSealError(f"There is no seal named {ref!r}.")
    return seal


def replace_image(ref: str, scan: bytes) -> SealSummary:
    """Use an uploaded scan (PNG/JPEG) as the seal's image."""
    seal = find_seal(ref)
    seal.image_png = import_scan(scan, max_bytes=runtime().config["MAX_IMAGE_BYTES"])
    seal.image_source = "scan"
    db.session.commit()
    return _summary(seal)


def list_seals() -> list[SealSummary]:
    return [
        _summary(seal) for seal in db.session.scalars(select(Seal).order_by(Seal.name))
    ]
