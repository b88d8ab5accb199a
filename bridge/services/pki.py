"""The embedded PKI: bootstrap, certificate issuance, CRLs, timestamping, trust.

On first use with no authorities in the database, a root CA, an issuing CA and
a timestamp authority certificate are created; their keys go to the key store.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy import select

from ..errors import ConfigurationError, NotFoundError
from ..extensions import db
from ..models import Authority, Certificate
from ..pki.certificates import (
    Profile,
    RevokedEntry,
    build_crl,
    issue_certificate,
    make_name,
    self_signed_root,
)
from ..pki.keystore import PrivateKey, generate_key
from ..pki.tsa import TimestampAuthority
from ..runtime import runtime
from ..signing.archival import LongTermMaterial
from ..signing.cms import CmsSigner
from ..signing.timestamping import EmbeddedTimeStamper, FailoverTimeStamper

__all__ = [
    "AUTHORITY_NAMES",
    "TSA_POLICY_OID",
    "as_asn1",
    "ca_certificate",
    "certificate_chain",
    "current_crl",
    "embedded_crls",
    "embedded_tsa",
    "ensure_pki",
    "issue_event_certificate",
    "issue",
    "long_term_material",
    "root_certificate_pem",
    "store_certificate",
    "timestamper",
    "trust_roots",
]

logger = logging.getLogger(__name__)

AUTHORITY_NAMES = ("root", "issuing", "tsa")
TSA_POLICY_OID = "2.25.238142637315358236146374802532453290133"
"""The embedded TSA's policy: an OID under the UUID arc (ITU-T X.667)."""

_ORGANIZATION = "Sealbridge"
_CRL_VALIDITY = timedelta(days=7)
_TSA_DAYS = 5 * 365


def as_asn1(row: Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(row.der)


def store_certificate(
    certificate: x509.Certificate,
    *,
    role: str,
    key_ref: str | None,
    issuer: Certificate | None,
) -> Certificate:
    """Record ``certificate`` (added to the session, not committed)."""
    row = Certificate(
        role=role,
        subject=certificate.subject.rfc4514_string(),
        serial_number=format(certificate.serial_number, "x"),
        fingerprint_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        der=certificate.public_bytes(Encoding.DER),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        issuer=issuer,
        key_ref=key_ref,
    )
    db.session.add(row)
    return row


def _crl_url(name: str) -> str:
    return f"{runtime().config['PUBLIC_URL'].rstrip('/')}/pki/crl/{name}.crl"


def ensure_pki() -> None:
    """Create the root CA, issuing CA and TSA certificate if they do not exist."""
    if db.session.get(Authority, "tsa") is not None:
        return
    config = runtime().config
    keystore = runtime().keystore
    now = datetime.now(UTC)
    algorithm = config["PKI_KEY_ALGORITHM"]

    root_key = generate_key(algorithm)
    root_cert = self_signed_root(
        root_key,
        make_name("Sealbridge Root CA", organization=_ORGANIZATION),
        now=now,
        days=20 * 365,
    )
    root = store_certificate(
        root_cert, role="root", key_ref=keystore.store(root_key), issuer=None
    )
    issuing_key = generate_key(algorithm)
    issuing_cert = issue_certificate(
        issuer=root_cert,
        issuer_key=root_key,
        subject=make_name("Sealbridge Issuing CA", organization=_ORGANIZATION),
        public_key=issuing_key.public_key(),
        profile=Profile.CA,
        now=now,
        days=10 * 365,
        crl_url=_crl_url("root"),
    )
    issuing = store_certificate(
        issuing_cert, role="issuing", key_ref=keystore.store(issuing_key), issuer=root
    )
    tsa_key = generate_key(algorithm)
    tsa_cert = issue_certificate(
        issuer=issuing_cert,
        issuer_key=issuing_key,
        subject=make_name("Sealbridge Timestamp Authority", organization=_ORGANIZATION),
        public_key=tsa_key.public_key(),
        profile=Profile.TSA,
        now=now,
        days=_TSA_DAYS,
        crl_url=_crl_url("issuing"),
    )
    tsa = store_certificate(
        tsa_cert, role="tsa", key_ref=keystore.store(tsa_key), issuer=issuing
    )
    for name, row in (("root", root), ("issuing", issuing), ("tsa", tsa)):
        db.session.add(Authority(name=name, certificate=row))
    db.session.commit()
    logger.info(
        "Embedded PKI created (%s): root %s", algorithm, root.fingerprint_sha256
    )


def _authority(name: str) -> Authority:
    ensure_pki()
    authority = db.session.get(Authority, name) if name in AUTHORITY_NAMES else None
    if authority is None:
        raise NotFoundError(f"There is no authority named {name!r}.")
    return authority


def _key_of(row: Certificate) -> PrivateKey:
    if row.key_ref is None:
        raise ConfigurationError(f"No private key is held for {row.subject}.")
    return runtime().keystore.load(row.key_ref)


def issue(
    subject: x509.Name, key: PrivateKey, *, profile: Profile, days: int, role: str
) -> Certificate:
    """Issue a certificate for ``key`` under the issuing CA and keep the key.

    The row is added to the session; the caller commits.
    """
    issuing = _authority("issuing").certificate
    issuer_cert = x509.load_der_x509_certificate(issuing.der)
    certificate = issue_certificate(
        issuer=issuer_cert,
        issuer_key=_key_of(issuing),
        subject=subject,
        public_key=key.public_key(),
        profile=profile,
        now=datetime.now(UTC),
        days=days,
        crl_url=_crl_url("issuing"),
    )
    return store_certificate(
        certificate, role=role, key_ref=runtime().keystore.store(key), issuer=issuing
    )


_EVENT_CERTIFICATE_DAYS = 30


def issue_event_certificate(name: str, identity_digest: str) -> Certificate:
    """A short-lived certificate for one person's signature (事件证书).

    The subject names the person; its serialNumber carries a keyed digest of
    the ID number, which proves the link without exposing the number.
    """
    subject = make_name(
        name, organizational_unit="个人", serial_number=f"ID:{identity_digest[:32]}"
    )
    return issue(
        subject,
        generate_key(runtime().config["EVENT_KEY_ALGORITHM"]),
        profile=Profile.SEAL,
        days=_EVENT_CERTIFICATE_DAYS,
        role="event",
    )


def embedded_tsa_expiry() -> datetime | None:
    """When the embedded TSA's certificate expires; None with external TSAs."""
    if runtime().config["TSA_URLS"]:
        return None
    return x509.load_der_x509_certificate(
        _authority("tsa").certificate.der
    ).not_valid_after_utc


def renew_embedded_tsa() -> Certificate:
    """A new key and certificate for the embedded TSA (the old one keeps proving
    what it stamped); archive timestamps call for it before the old expires."""
    authority = _authority("tsa")
    authority.certificate = issue(
        make_name("Sealbridge Timestamp Authority", organization=_ORGANIZATION),
        generate_key(runtime().config["PKI_KEY_ALGORITHM"]),
        profile=Profile.TSA,
        days=_TSA_DAYS,
        role="tsa",
    )
    db.session.commit()
    logger.info("Embedded TSA certificate renewed")
    return authority.certificate


def ca_certificate(name: str) -> bytes:
    """DER of the root or issuing CA certificate."""
    if name not in ("root", "issuing"):
        raise NotFoundError(f"There is no CA named {name!r}.")
    return _authority(name).certificate.der


def root_certificate_pem() -> str:
    return pem.armor("CERTIFICATE", ca_certificate("root")).decode()


def current_crl(name: str) -> bytes:
    """The CA's CRL (DER), re-signed when a day or less of validity is left."""
    if name not in ("root", "issuing"):
        raise NotFoundError(f"There is no CRL named {name!r}.")
    authority = _authority(name)
    now = datetime.now(UTC)
    next_update = authority.crl_next_update
    if next_update is not None and next_update.tzinfo is None:
        next_update = next_update.replace(tzinfo=UTC)
    if authority.crl_der is not None and next_update - now > timedelta(days=1):
        return authority.crl_der
    issuer = authority.certificate
    revoked = db.session.scalars(
        select(Certificate).where(
            Certificate.issuer_id == issuer.id, Certificate.revoked_at.is_not(None)
        )
    )
    authority.crl_number += 1
    authority.crl_next_update = now + _CRL_VALIDITY
    authority.crl_der = build_crl(
        issuer=x509.load_der_x509_certificate(issuer.der),
        issuer_key=_key_of(issuer),
        revoked=[
            RevokedEntry(int(row.serial_number, 16), row.revoked_at) for row in revoked
        ],
        number=authority.crl_number,
        now=now,
        next_update=authority.crl_next_update,
    )
    db.session.commit()
    return authority.crl_der


def certificate_chain(row: Certificate) -> list[asn1_x509.Certificate]:
    """The issuers of ``row`` up to (and including) its root."""
    chain = []
    issuer = row.issuer
    while issuer is not None:
        chain.append(as_asn1(issuer))
        issuer = issuer.issuer
    return chain


def _tsa() -> TimestampAuthority:
    row = _authority("tsa").certificate

    def build() -> TimestampAuthority:
        signer = CmsSigner(_key_of(row), as_asn1(row), certificate_chain(row))
        return TimestampAuthority(signer, TSA_POLICY_OID)

    return runtime().cached(("tsa", row.id), build)


def embedded_tsa() -> TimestampAuthority:
    """The bridge's own timestamp authority (served at ``POST /tsa``)."""
    return _tsa()


def timestamper() -> TimeStamper:
    """The configured TSA: external URLs with failover, else the embedded one."""
    config = runtime().config
    urls = tuple(config["TSA_URLS"])
    if urls:
        return runtime().cached(
            ("tsa-urls", urls),
            lambda: FailoverTimeStamper(
                urls,
                timeout=config["TSA_TIMEOUT_SECONDS"],
                attempts=config["TSA_ATTEMPTS"],
            ),
        )
    tsa = _tsa()
    return runtime().cached(("embedded-tsa", id(tsa)), lambda: EmbeddedTimeStamper(tsa))


def trust_roots() -> list[asn1_x509.Certificate]:
    """The embedded root and the configured extra trust anchors."""
    roots = [asn1_x509.Certificate.load(ca_certificate("root"))]
    for path in runtime().config["TRUST_ROOT_FILES"]:
        data = Path(path).read_bytes()
        if pem.detect(data):
            roots.extend(
                asn1_x509.Certificate.load(der)
                for _, _, der in pem.unarmor(data, multiple=True)
            )
        else:
            roots.append(asn1_x509.Certificate.load(data))
    return roots


def embedded_crls() -> list[asn1_crl.CertificateList]:
    return [
        asn1_crl.CertificateList.load(current_crl(name)) for name in ("issuing", "root")
    ]


def long_term_material(
    seal_certificate: Certificate | None = None,
) -> LongTermMaterial:
    """Certificates and CRLs that B-LT embeds: a seal's chain, the embedded TSA.

    Without a seal, for archive timestamps: each signature carries its own
    certificate in its CMS; the CAs above it come from here.
    """
    tsa = _authority("tsa").certificate
    anchor = seal_certificate or tsa
    certificates = certificate_chain(anchor)
    if seal_certificate is not None:
        certificates.insert(0, as_asn1(seal_certificate))
    if not runtime().config["TSA_URLS"]:
        certificates.append(as_asn1(tsa))
    return LongTermMaterial(
        certificates=tuple(certificates), crls=tuple(embedded_crls())
    )
