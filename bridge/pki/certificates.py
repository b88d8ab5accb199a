"""X.509 building blocks of the embedded PKI: names, certificate profiles, CRLs.

Pure functions over ``cryptography`` objects; persistence lives in the services.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .keystore import PrivateKey

__all__ = [
    "Profile",
    "RevokedEntry",
    "build_crl",
    "issue_certificate",
    "make_name",
    "self_signed_root",
]


class Profile(Enum):
    """What a certificate is for; decides its extensions."""

    CA = "ca"
    TSA = "tsa"
    SEAL = "seal"


@dataclass(frozen=True)
class RevokedEntry:
    serial_number: int
    revoked_at: datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified


def make_name(
    common_name: str,
    *,
    organization: str | None = None,
    organizational_unit: str | None = None,
    serial_number: str | None = None,
) -> x509.Name:
    """A subject name in the usual Chinese layout: C=CN, O, OU, CN, serialNumber."""
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN")]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if organizational_unit:
        attributes.append(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, organizational_unit)
        )
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attributes)


def _random_serial() -> int:
    return secrets.randbits(127) | 1 << 126


def _sign(builder: x509.CertificateBuilder, key: PrivateKey) -> x509.Certificate:
    return builder.sign(key, hashes.SHA256())


def self_signed_root(
    key: PrivateKey, name: x509.Name, *, now: datetime, days: int
) -> x509.Certificate:
    """A root CA certificate (path length 1: root → issuing CA → end entity)."""
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(_random_serial())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
            critical=False,
        )
    )
    return _sign(builder, key)


def issue_certificate(
    *,
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
    subject: x509.Name,
    public_key,
    profile: Profile,
    now: datetime,
    days: int,
    crl_url: str | None,
) -> x509.Certificate:
    """Issue a certificate of ``profile`` under ``issuer``, never outliving it."""
    not_after = min(now + timedelta(days=days), issuer.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(_random_serial())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(not_after)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),
            critical=False,
        )
    )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    for extension, critical in _profile_extensions(profile):
        builder = builder.add_extension(extension, critical=critical)
    return _sign(builder, issuer_key)


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _signing_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _profile_extensions(profile: Profile) -> Iterable[tuple[x509.ExtensionType, bool]]:
    if profile is Profile.CA:
        yield x509.BasicConstraints(ca=True, path_length=0), True
        yield _ca_key_usage(), True
        return
    yield x509.BasicConstraints(ca=False, path_length=None), True
    yield _signing_key_usage(), True
    if profile is Profile.TSA:
        # RFC 3161 §2.3: the only extended key usage, marked critical.
        yield x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True


def build_crl(
    *,
    issuer: x509.Certificate,
    issuer_key: PrivateKey,
    revoked: Iterable[RevokedEntry],
    number: int,
    now: datetime,
    next_update: datetime,
) -> bytes:
    """A signed CRL (DER) listing ``revoked``."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),
            critical=False,
        )
    )
    for entry in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(entry.serial_number)
            .revocation_date(entry.revoked_at)
            .add_extension(x509.CRLReason(entry.reason), critical=False)
            .build()
        )
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(Encoding.DER)
