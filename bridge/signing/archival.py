"""Long-term validation data and archive timestamps (PAdES B-LT / B-LTA).

The DSS gets the certificates and CRLs that prove each signature valid at the
time it was made; a document timestamp then covers the whole file, DSS
included. Before that timestamp's own certificate expires, another DSS update
and timestamp over it keep the chain of proof unbroken, for as long as the
document is archived.
"""

from __future__ import annotations

import io
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore

from ..errors import TimestampError
from .pdf_input import pdf_errors
from .timestamping import timestamp_digest

__all__ = [
    "LongTermMaterial",
    "ArchiveTimestamp",
    "add_archive_timestamp",
    "supply_validation_data",
]


@dataclass(frozen=True)
class LongTermMaterial:
    """What B-LT embeds so a signature can be checked offline for years."""

    certificates: tuple[asn1_x509.Certificate, ...]
    crls: tuple[asn1_crl.CertificateList, ...]


def supply_validation_data(
    writer: IncrementalPdfFileWriter, contents: bytes, material: LongTermMaterial
) -> None:
    """Add ``material`` to the DSS for the signature whose CMS is ``contents``."""
    DocumentSecurityStore.supply_dss_in_writer(
        writer, contents, certs=material.certificates, crls=material.crls
    )


@dataclass(frozen=True)
class ArchiveTimestamp:
    pdf: bytes
    expires_at: datetime
    """When the certificate of the new timestamp expires: renew before then."""


def add_archive_timestamp(
    pdf: bytes, material: LongTermMaterial, timestamper: TimeStamper
) -> ArchiveTimestamp:
    """``pdf`` with validation data for every signature, then a document timestamp."""
    with pdf_errors():
        reader = PdfFileReader(io.BytesIO(pdf))
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        covered = _covered_signatures(reader)
        for signature in reader.embedded_signatures:
            contents = signature.pkcs7_content
            if DocumentSecurityStore.sig_content_identifier(contents) in covered:
                continue  # changing a signature's VRI later looks like tampering
            own = tuple(c.chosen for c in signature.signed_data["certificates"])
            supply_validation_data(
                writer,
                contents,
                LongTermMaterial(material.certificates + own, material.crls),
            )
        token_size = _token_size(timestamper)
        recording = _Recording(timestamper)
        output = io.BytesIO()
        PdfTimeStamper(recording).timestamp_pdf(
            writer,
            "sha256",
            output=output,
            # pyHanko counts the reserved /Contents in hex digits: two per byte.
            bytes_reserved=2 * (token_size + 2048),
        )
    return ArchiveTimestamp(output.getvalue(), _signer_expiry(recording.token))


# A TSA's tokens are about the same size every time: ask once per timestamper.
_TOKEN_SIZES: weakref.WeakKeyDictionary[TimeStamper, int] = weakref.WeakKeyDictionary()
_TOKEN_SIZES_LOCK = threading.Lock()


def _token_size(timestamper: TimeStamper) -> int:
    with _TOKEN_SIZES_LOCK:
        size = _TOKEN_SIZES.get(timestamper)
    if size is None:
        size = len(timestamp_digest(timestamper, bytes(32)))
        with _TOKEN_SIZES_LOCK:
            _TOKEN_SIZES[timestamper] = size
    return size


class _Recording(TimeStamper):
    """Passes requests on to ``inner`` and keeps the token it answered."""

    def __init__(self, inner: TimeStamper) -> None:
        super().__init__()
        self._inner = inner
        self.token: cms.ContentInfo | None = None

    async def async_timestamp(self, message_digest, md_algorithm) -> cms.ContentInfo:
        self.token = await self._inner.async_timestamp(message_digest, md_algorithm)
        return self.token


def _signer_expiry(token: cms.ContentInfo | None) -> datetime:
    """When the certificate that signed the timestamp ``token`` expires."""
    if token is None:
        raise TimestampError("The timestamp authority returned no token.")
    signed_data = token["content"]
    sid = signed_data["signer_infos"][0]["sid"].chosen
    for choice in signed_data["certificates"]:
        certificate = choice.chosen
        if (
            certificate.issuer == sid["issuer"]
            and certificate.serial_number == sid["serial_number"].native
        ):
            return certificate["tbs_certificate"]["validity"]["not_after"].native
    raise TimestampError("The timestamp token does not carry its signer's certificate.")


def _covered_signatures(reader: PdfFileReader) -> set[str]:
    """The VRI keys already in the document's DSS."""
    if "/DSS" not in reader.root:
        return set()
    return set(DocumentSecurityStore.read_dss(reader).vri_entries)
