"""CMS ``SignedData`` for PAdES signatures and RFC 3161 tokens, assembled fast.

Everything that is the same for every signature of one key — the signer
identifier, algorithm identifiers, the ESS signing-certificate-v2 attribute and
the certificate set — is encoded once, when the :class:`CmsSigner` is built.
A signature then costs one private-key operation and a few byte joins instead of
re-encoding certificates through a generic ASN.1 object tree (which is what makes
the straightforward pyHanko recipe spend ~100 ms per signature).

The output is plain DER, checked in the tests by pyHanko's validator and poppler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

from asn1crypto import algos, cms, core, x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign.general import as_signing_certificate_v2

from ..pki.keystore import PrivateKey

__all__ = ["CmsSigner", "TimestampCallback"]

TimestampCallback = Callable[[bytes], bytes]
"""Given the SHA-256 of a signature value, return a DER timestamp token."""


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    encoded = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(encoded)]) + encoded


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


_SEQUENCE, _SET, _OCTET_STRING = 0x30, 0x31, 0x04
_CONTEXT_0, _CONTEXT_1 = 0xA0, 0xA1
_OID_SIGNED_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
_OID_SIGNATURE_TIMESTAMP = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.14").dump()


def _attribute(type_name: str, value: core.Asn1Value) -> bytes:
    return cms.CMSAttribute({"type": type_name, "values": [value]}).dump()


def _message_digest_attribute(digest: bytes) -> bytes:
    return _tlv(
        _SEQUENCE,
        core.ObjectIdentifier("1.2.840.113549.1.9.4").dump()
        + _tlv(_SET, _tlv(_OCTET_STRING, digest)),
    )


class CmsSigner:
    """Signs SHA-256 digests as CMS ``SignedData`` with one key and certificate.

    :param key: the private key (RSA with PKCS#1 v1.5, or ECDSA).
    :param certificate: the signer's certificate.
    :param chain: issuing certificates to embed after the signer's.
    """

    def __init__(
        self,
        key: PrivateKey,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        self._key = key
        self.certificate = certificate
        self.chain = tuple(chain)
        if isinstance(key, rsa.RSAPrivateKey):
            signature_algorithm = "sha256_rsa"
            self._max_signature_size = key.key_size // 8
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            signature_algorithm = "sha256_ecdsa"
            self._max_signature_size = 2 * ((key.curve.key_size + 7) // 8) + 9
        else:  # pragma: no cover - the key store only yields these two
            raise TypeError(f"unsupported key type {type(key).__name__}")
        self._sid = cms.IssuerAndSerialNumber(
            {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
        ).dump()
        self._digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"}).dump()
        self._signature_algorithm = algos.SignedDigestAlgorithm(
            {"algorithm": signature_algorithm}
        ).dump()
        self._signing_certificate = _attribute(
            "signing_certificate_v2", as_signing_certificate_v2(certificate)
        )
        # DER orders SET OF members by their encodings.
        self._certificates = _tlv(
            _CONTEXT_0, b"".join(sorted(c.dump() for c in (certificate, *chain)))
        )
        self._content_types: dict[str, bytes] = {}

    def sign(
        self,
        digest: bytes,
        *,
        content_type: str = "data",
        econtent: bytes | None = None,
        signing_time: datetime | None = None,
        include_certificates: bool = True,
        timestamp: TimestampCallback | None = None,
    ) -> bytes:
        """Return a DER ``ContentInfo`` signing ``digest`` (SHA-256 of the content).

        :param content_type: the ``eContentType`` (``data`` for PDF signatures,
            ``tst_info`` for timestamp tokens).
        :param econtent: content to encapsulate; ``None`` for a detached signature.
        :param signing_time: adds a signing-time attribute (not used by PAdES,
            whose claimed time lives in the PDF signature dictionary).
        :param timestamp: when given, the signature value is timestamped and the
            token embedded as an unsigned attribute (PAdES B-T).
        """
        attributes = [
            self._content_type_attribute(content_type),
            _message_digest_attribute(digest),
            self._signing_certificate,
        ]
        if signing_time is not None:
            attributes.append(
                _attribute("signing_time", cms.Time({"utc_time": signing_time}))
            )
        signed_attributes = b"".join(sorted(attributes))
        signature = self._raw_sign(_tlv(_SET, signed_attributes))
        unsigned = b""
        if timestamp is not None:
            token = timestamp(hashlib.sha256(signature).digest())
            unsigned = _tlv(
                _CONTEXT_1,
                _tlv(_SEQUENCE, _OID_SIGNATURE_TIMESTAMP + _tlv(_SET, token)),
            )
        return self._assemble(
            content_type,
            econtent,
            signed_attributes,
            signature,
            unsigned,
            include_certificates,
        )

    def container_size(self, *, timestamp_token_size: int = 0) -> int:
        """Upper bound of the DER size of a detached PDF signature container."""
        attributes = (
            self._content_type_attribute("data")
            + _message_digest_attribute(bytes(32))
            + self._signing_certificate
        )
        unsigned = b""
        if timestamp_token_size:
            unsigned = _tlv(
                _CONTEXT_1,
                _tlv(
                    _SEQUENCE,
                    _OID_SIGNATURE_TIMESTAMP + _tlv(_SET, bytes(timestamp_token_size)),
                ),
            )
        return len(
            self._assemble(
                "data",
                None,
                attributes,
                bytes(self._max_signature_size),
                unsigned,
                True,
            )
        )

    def _content_type_attribute(self, content_type: str) -> bytes:
        encoded = self._content_types.get(content_type)
        if encoded is None:
            encoded = _attribute("content_type", cms.ContentType(content_type))
            self._content_types[content_type] = encoded
        return encoded

    def _raw_sign(self, data: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), hashes.SHA256())
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))

    def _assemble(
        self,
        content_type: str,
        econtent: bytes | None,
        signed_attributes: bytes,
        signature: bytes,
        unsigned: bytes,
        include_certificates: bool,
    ) -> bytes:
        signer_info = _tlv(
            _SEQUENCE,
            core.Integer(1).dump()
            + self._sid
            + self._digest_algorithm
            + _tlv(_CONTEXT_0, signed_attributes)
            + self._signature_algorithm
            + _tlv(_OCTET_STRING, signature)
            + unsigned,
        )
        encapsulated = cms.ContentType(content_type).dump()
        if econtent is not None:
            encapsulated += _tlv(_CONTEXT_0, _tlv(_OCTET_STRING, econtent))
        # RFC 5652 §5.1: version 3 when the content is not id-data.
        version = 1 if content_type == "data" else 3
        signed_data = _tlv(
            _SEQUENCE,
            core.Integer(version).dump()
            + _tlv(_SET, self._digest_algorithm)
            + _tlv(_SEQUENCE, encapsulated)
            + (self._certificates if include_certificates else b"")
            + _tlv(_SET, signer_info),
        )
        return _tlv(_SEQUENCE, _OID_SIGNED_DATA + _tlv(_CONTEXT_0, signed_data))
