"""Verification report for PAdES-signed PDFs (company seals).

The report follows the spirit of the EU DSS "simple report": one overall
indication (PASSED, FAILED or INDETERMINATE) and, in revision order, one entry
per signature and document timestamp saying who signed and when, whether the
bytes are intact, whether the chain leads to a configured root, how the
document changed afterwards, which PAdES baseline level was reached and where
the seal is drawn.

Validation never touches the network: revocation data comes only from the
caller and from the document's DSS. Entries are checked newest first, as
PAdES-LTA intends: the newest document timestamp at ``now``, every older entry
at the time the next valid document timestamp after it proves, and a
signature whose certificate does not hold then at the time its own signature
timestamp proves. So an event certificate that expired a month after its
signature, or a timestamp authority certificate renewed since, still counts
at the time it was used, for as long as the archive timestamps are kept up.
Every failure a user can cause surfaces as a :mod:`bridge.errors` error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import PdfHandler
from pyhanko.sign.ades.report import AdESIndeterminate, AdESStatus, AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import (
    DocumentSecurityStore,
    DocumentTimestampStatus,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.status import SignatureStatus
from pyhanko_certvalidator import ValidationContext

from ..errors import InvalidPdfError
from .pdf_input import open_for_reading, pdf_errors

__all__ = [
    "FAILED",
    "INDETERMINATE",
    "NO_SIGNATURE_FOUND",
    "PASSED",
    "SignatureReport",
    "VerificationReport",
    "verify_pdf",
]

logger = logging.getLogger(__name__)

PASSED = "PASSED"
FAILED = "FAILED"
INDETERMINATE = "INDETERMINATE"
NO_SIGNATURE_FOUND = "NO_SIGNATURE_FOUND"

Box = tuple[float, float, float, float]
Status = PdfSignatureStatus | DocumentTimestampStatus

_MODIFICATIONS = {
    ModificationLevel.NONE: ("none", "Later revisions do not change the document"),
    ModificationLevel.LTA_UPDATES: (
        "lta_updates",
        "Later revisions: DSS/timestamp updates only",
    ),
    ModificationLevel.FORM_FILLING: (
        "form_filling",
        "Later revisions: form filling (signatures added)",
    ),
    ModificationLevel.ANNOTATIONS: (
        "annotations",
        "Later revisions: annotations added or changed",
    ),
    ModificationLevel.OTHER: (
        "other",
        "Later revisions contain disallowed modifications",
    ),
}

_TRUST_PROBLEMS: dict[AdESSubIndic, str] = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: (
        "no chain to a configured trust root was found"
    ),
    AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND: (
        "the signing certificate is missing"
    ),
    AdESIndeterminate.REVOKED_NO_POE: "the certificate has been revoked",
    AdESIndeterminate.REVOKED_CA_NO_POE: "a CA certificate has been revoked",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "the certificate has expired",
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: (
        "the certificate is not allowed for this use"
    ),
    AdESIndeterminate.TRY_LATER: "no fresh revocation information is available",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: "a disallowed algorithm was used",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: (
        "an algorithm that is no longer allowed was used"
    ),
}


@dataclass(frozen=True)
class SignatureReport:
    """What one signature or document timestamp proves about the document.

    ``trusted`` covers the signer's chain and, for a signature, the chain of
    its timestamp token; ``trust_problem`` says in one sentence what keeps the
    entry from PASSED. ``modifications`` is a stable token for what later
    revisions changed, ``modifications_text`` the same for people. ``pages``
    and ``boxes`` list every visible widget (a riding seal has one per page),
    ``page`` and ``box`` the first; all are empty for invisible fields.
    """

    field_name: str
    kind: str
    signer: str
    signer_common_name: str | None
    signing_time: str | None
    timestamp_time: str | None
    timestamp_authority: str | None
    validation_time: str | None
    """When certificates were checked: now, or what a later timestamp proves."""
    intact: bool
    valid: bool
    trusted: bool
    trust_problem: str | None
    covers_whole_document: bool
    modifications: str
    modifications_text: str
    level: str | None
    page: int | None
    box: Box | None
    pages: tuple[int, ...]
    boxes: tuple[Box, ...]
    indication: str

    def to_dict(self) -> dict:
        """Give lists instead of tuples so that the result is JSON-ready."""
        data = asdict(self)
        data["box"] = list(self.box) if self.box is not None else None
        data["pages"] = list(self.pages)
        data["boxes"] = [list(box) for box in self.boxes]
        return data


@dataclass(frozen=True)
class VerificationReport:
    """The overall verdict on a PDF and its entries in revision order."""

    indication: str
    sub_indication: str | None
    signatures: tuple[SignatureReport, ...]

    def to_dict(self) -> dict:
        """Give a JSON-ready dictionary."""
        return {
            "indication": self.indication,
            "sub_indication": self.sub_indication,
            "signatures": [report.to_dict() for report in self.signatures],
        }


@dataclass(frozen=True)
class _Checked:
    """A filled signature field with pyHanko's verdict, None if unreadable."""

    field_name: str
    field_ref: generic.IndirectObject
    revision: int
    validated: tuple[EmbeddedPdfSignature, Status] | None
    validated_at: datetime | None = None


def verify_pdf(
    data: bytes,
    *,
    trust_roots: Sequence[x509.Certificate],
    crls: Sequence[bytes] = (),
    other_certs: Sequence[x509.Certificate] = (),
    max_bytes: int = 50 * 1024 * 1024,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify every signature and document timestamp of ``data`` offline.

    ``crls`` are DER-encoded CRLs; ``now`` is a timezone-aware validation time
    (default: the current time). Raises :class:`FileTooLargeError`,
    :class:`InvalidPdfError` or :class:`EncryptedPdfError` for unusable input.
    """
    reader = open_for_reading(data, max_bytes)
    with pdf_errors():
        dss = _read_dss(reader)

        def new_context(moment: datetime) -> ValidationContext:
            # A fresh context per signature: pyHanko closes it after each use.
            kwargs: dict[str, Any] = {
                "trust_roots": list(trust_roots),
                "other_certs": list(other_certs),
                "crls": list(crls),
                "moment": moment,
                # A CRL issued after ``moment`` that does not list a
                # certificate still shows it was not revoked at ``moment``.
                "retroactive_revinfo": True,
                "allow_fetching": False,
                "revocation_mode": "soft-fail",
            }
            if dss is None:
                return ValidationContext(**kwargs)
            return dss.as_validation_context(kwargs)

        fields = enumerate_sig_fields(reader, filled_status=True)
        newest_first = sorted(
            (_open(reader, name, field_ref) for name, _, field_ref in fields),
            key=lambda item: item.revision,
            reverse=True,
        )
        proven = now or datetime.now(UTC)
        checked = []
        for field in newest_first:
            result = _check(field, new_context, proven)
            checked.append(result)
            status = result.validated[1] if result.validated else None
            if isinstance(status, DocumentTimestampStatus) and (
                status.intact and status.valid and status.trusted
            ):
                proven = status.timestamp  # older entries existed by then
        checked.reverse()
        annotation_pages = _annotation_pages(reader)
        reports = tuple(
            _report(reader, item, checked, annotation_pages) for item in checked
        )
    return _overall(reports)


def _read_dss(handler: PdfHandler) -> DocumentSecurityStore | None:
    """Read the DSS of a revision, the source of long-term validation data."""
    try:
        return DocumentSecurityStore.read_dss(handler)
    except NoDSSFoundError:
        return None


def _validate_signature(
    embedded: EmbeddedPdfSignature,
    new_context: Callable[[datetime], ValidationContext],
    moment: datetime,
) -> tuple[PdfSignatureStatus, datetime]:
    """The signature's status and the time its certificate was checked at.

    At ``moment`` first; if the certificate does not hold then (a person's
    event certificate lasts 30 days, and a contract may take longer) but the
    signature's own timestamp does, again at the time that timestamp proves.
    """
    status = validate_pdf_signature(
        embedded,
        signer_validation_context=new_context(moment),
        ts_validation_context=new_context(moment),
    )
    token = status.timestamp_validity
    if (
        status.trusted
        or token is None
        or not (token.intact and token.valid and token.trusted)
        or token.timestamp >= moment
    ):
        return status, moment
    earlier = token.timestamp
    status = validate_pdf_signature(
        embedded,
        signer_validation_context=new_context(earlier),
        ts_validation_context=new_context(moment),
    )
    return status, earlier


@dataclass(frozen=True)
class _Opened:
    """A filled signature field, its signature read (None if unreadable)."""

    field_name: str
    field_ref: generic.IndirectObject
    revision: int
    embedded: EmbeddedPdfSignature | None


def _open(
    reader: PdfFileReader, field_name: str, field_ref: generic.IndirectObject
) -> _Opened:
    try:
        with pdf_errors():
            embedded = EmbeddedPdfSignature(reader, field_ref, field_name)
            return _Opened(field_name, field_ref, embedded.signed_revision, embedded)
    except InvalidPdfError as exc:
        logger.warning("signature %r cannot be read: %s", field_name, exc)
        # Filling a field updates it, so its last change is the signing revision.
        revision = reader.xrefs.get_last_change(field_ref.reference)
        return _Opened(field_name, field_ref, revision, None)


def _check(
    item: _Opened,
    new_context: Callable[[datetime], ValidationContext],
    moment: datetime,
) -> _Checked:
    """Validate one field at ``moment``; a malformed one must not hide the others."""
    unreadable = _Checked(item.field_name, item.field_ref, item.revision, None)
    embedded = item.embedded
    if embedded is None:
        return unreadable
    try:
        with pdf_errors():
            status: Status
            if embedded.sig_object_type == "/DocTimeStamp":
                status = validate_pdf_timestamp(
                    embedded, validation_context=new_context(moment)
                )
            else:
                status, moment = _validate_signature(embedded, new_context, moment)
    except InvalidPdfError as exc:
        logger.warning("signature %r cannot be validated: %s", item.field_name, exc)
        return unreadable
    return _Checked(
        item.field_name, item.field_ref, item.revision, (embedded, status), moment
    )


def _report(
    reader: PdfFileReader,
    item: _Checked,
    checked: Sequence[_Checked],
    annotation_pages: dict[tuple[int, int], int],
) -> SignatureReport:
    """Turn pyHanko's status into the stable report shape."""
    pages, boxes = _widgets(item.field_ref, annotation_pages)
    where: dict[str, Any] = {
        "field_name": item.field_name,
        "page": pages[0] if pages else None,
        "box": boxes[0] if boxes else None,
        "pages": pages,
        "boxes": boxes,
    }
    if item.validated is None:
        return SignatureReport(
            kind="signature",
            signer="",
            signer_common_name=None,
            signing_time=None,
            timestamp_time=None,
            timestamp_authority=None,
            validation_time=None,
            intact=False,
            valid=False,
            trusted=False,
            trust_problem="The signature data is malformed and cannot be validated.",
            covers_whole_document=False,
            modifications="other",
            modifications_text="Unknown, because the signature cannot be read.",
            level=None,
            indication=FAILED,
            **where,
        )
    embedded, status = item.validated
    modifications, modifications_text, allowed = _modifications(status)
    failed = not (status.intact and status.valid and allowed) or _ades_failed(status)
    if isinstance(status, DocumentTimestampStatus):
        trusted, trust_problem = _trust(status, "The timestamp authority")
        kind, level = "document_timestamp", None
        signing_time = timestamp_time = _iso(status.timestamp)
        authority = status.signing_cert.subject.human_friendly
    else:
        trusted, trust_problem = _trust(status, "The signer")
        kind, level = "signature", _level(reader, embedded, status, checked)
        signing_time = _iso(status.signer_reported_dt)
        timestamp_time = authority = None
        token = status.timestamp_validity
        if token is not None and not (token.intact and token.valid):
            failed = True
            if trusted:
                trusted = False
                trust_problem = "The signature timestamp token is broken."
        elif token is not None:
            timestamp_time = _iso(token.timestamp)
            authority = token.signing_cert.subject.human_friendly
            failed = failed or _ades_failed(token)
            if trusted and not token.trusted:
                trusted, trust_problem = _trust(token, "The timestamp authority")
    if failed:
        indication = FAILED
    else:
        indication = PASSED if trusted else INDETERMINATE
    return SignatureReport(
        kind=kind,
        signer=status.signing_cert.subject.human_friendly,
        signer_common_name=_common_name(status.signing_cert),
        signing_time=signing_time,
        timestamp_time=timestamp_time,
        timestamp_authority=authority,
        validation_time=_iso(item.validated_at),
        intact=status.intact,
        valid=status.valid,
        trusted=trusted,
        trust_problem=trust_problem,
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modifications=modifications,
        modifications_text=modifications_text,
        level=level,
        indication=indication,
        **where,
    )


def _ades_failed(status: SignatureStatus) -> bool:
    """Tell whether pyHanko judged the chain a failure, not merely unsure."""
    problem = status.trust_problem_indic
    return problem is not None and problem.status is AdESStatus.FAILED


def _trust(status: SignatureStatus, who: str) -> tuple[bool, str | None]:
    """Say whether a chain leads to a configured root and, if not, why."""
    if status.trusted:
        return True, None
    if not (status.intact and status.valid):
        return False, f"{who}'s chain was not checked: the signature is broken."
    problem = status.trust_problem_indic or AdESIndeterminate.GENERIC
    reason = _TRUST_PROBLEMS.get(problem, "the chain could not be validated")
    code = problem.standard_name
    return False, f"{who}'s certificate is not trusted: {reason} ({code})."


def _modifications(status: Status) -> tuple[str, str, bool]:
    """Describe the later revisions as (token, sentence, allowed)."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return "none", "Covers the whole file.", True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return "other", "The signed bytes do not cover a whole revision.", False
    level = status.modification_level or ModificationLevel.OTHER
    token, text = _MODIFICATIONS[level]
    # docmdp_ok is only set for signatures: their DocMDP or FieldMDP lock.
    if status.docmdp_ok is False and level is not ModificationLevel.OTHER:
        return token, f"{text}, which the signature's lock forbids.", False
    return token, f"{text}.", level is not ModificationLevel.OTHER


def _level(
    reader: PdfFileReader,
    embedded: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    checked: Sequence[_Checked],
) -> str | None:
    """Find the PAdES baseline level reached; None if not a PAdES signature."""
    if embedded.sig_object.get("/SubFilter") != SigSeedSubFilter.PADES.value:
        return None
    token = status.timestamp_validity
    if token is None or not (token.intact and token.valid):
        return "B-B"
    path = status.validation_path
    chain = (
        list(path.iter_certs(include_root=False))
        if path is not None
        else [status.signing_cert]
    )
    if not _has_revocation_data(reader, chain):
        return "B-T"
    for later in checked:
        if later.revision <= embedded.signed_revision or later.validated is None:
            continue
        later_status = later.validated[1]
        if (
            isinstance(later_status, DocumentTimestampStatus)
            and later_status.intact
            and later_status.valid
            and _has_revocation_data(
                reader.get_historical_resolver(later.revision), chain
            )
        ):
            return "B-LTA"
    return "B-LT"


def _has_revocation_data(
    handler: PdfHandler, chain: Sequence[x509.Certificate]
) -> bool:
    """Tell whether the DSS seen by ``handler`` has a CRL or OCSP for each cert."""
    dss = _read_dss(handler)
    if dss is None:
        return False
    crl_issuers = [
        asn1_crl.CertificateList.load(
            ref.get_object().read_data(DecodePurpose.CRL)
        ).issuer
        for ref in dss.crls
    ]
    ocsp_ids = list(_ocsp_cert_ids(dss))
    return all(
        cert.issuer in crl_issuers
        or any(
            serial == cert.serial_number
            and name_hash == getattr(cert.issuer, algorithm, None)
            for algorithm, name_hash, serial in ocsp_ids
        )
        for cert in chain
    )


def _ocsp_cert_ids(dss: DocumentSecurityStore) -> Iterator[tuple[str, bytes, int]]:
    """List (hash algorithm, issuer name hash, serial) of the DSS OCSP answers."""
    for ref in dss.ocsps:
        response = asn1_ocsp.OCSPResponse.load(
            ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)
        )
        if response["response_status"].native != "successful":
            continue
        tbs = response.basic_ocsp_response["tbs_response_data"]
        for single in tbs["responses"]:
            cert_id = single["cert_id"]
            yield (
                cert_id["hash_algorithm"]["algorithm"].native,
                cert_id["issuer_name_hash"].native,
                cert_id["serial_number"].native,
            )


def _annotation_pages(reader: PdfFileReader) -> dict[tuple[int, int], int]:
    """Map annotation references to 1-based pages from /Annots, not from /P."""
    pages: dict[tuple[int, int], int] = {}
    for number, page in enumerate(_iter_pages(reader), start=1):
        for annot in page.get("/Annots", ()):
            if isinstance(annot, generic.IndirectObject):
                pages.setdefault((annot.idnum, annot.generation), number)
    return pages


def _iter_pages(reader: PdfFileReader) -> Iterator[generic.DictionaryObject]:
    """Walk the page tree in order, refusing cycles."""
    stack = [reader.root.raw_get("/Pages")]
    seen: set[tuple[int, int]] = set()
    while stack:
        ref = stack.pop()
        if not isinstance(ref, generic.IndirectObject):
            raise misc.PdfReadError("Page tree nodes must be indirect objects.")
        if (ref.idnum, ref.generation) in seen:
            raise misc.PdfReadError("The page tree has a cycle.")
        seen.add((ref.idnum, ref.generation))
        node = ref.get_object()
        if node.get("/Type") == "/Pages":
            stack.extend(reversed(list(node["/Kids"])))
        else:
            yield node


def _widgets(
    field_ref: generic.IndirectObject,
    annotation_pages: dict[tuple[int, int], int],
) -> tuple[tuple[int, ...], tuple[Box, ...]]:
    """Find the page and box of every visible widget of a signature field.

    A field is its own widget unless it has /Kids: several widgets, e.g. a
    riding seal cut in slices over many pages. Widgets on no page, without a
    /Rect or of zero area (invisible signatures) are left out.
    """
    kids = field_ref.get_object().get("/Kids")
    refs = [field_ref] if kids is None else list(kids)
    pages: list[int] = []
    boxes: list[Box] = []
    for ref in refs:
        if not isinstance(ref, generic.IndirectObject):
            continue
        page = annotation_pages.get((ref.idnum, ref.generation))
        rect = ref.get_object().get("/Rect")
        if page is None or rect is None:
            continue
        x1, y1, x2, y2 = (float(value) for value in rect)
        box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        if box[0] < box[2] and box[1] < box[3]:
            pages.append(page)
            boxes.append(box)
    return tuple(pages), tuple(boxes)


def _common_name(cert: x509.Certificate) -> str | None:
    """Give the most specific CN of a certificate subject, if any."""
    names = [
        attribute["value"].native
        for rdn in cert.subject.chosen
        for attribute in rdn
        if attribute["type"].native == "common_name"
    ]
    return names[-1] if names else None


def _iso(moment: datetime | None) -> str | None:
    """Format a time as ISO 8601 UTC; a time without zone is taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _overall(reports: tuple[SignatureReport, ...]) -> VerificationReport:
    """Combine the entries: a failure wins, then missing or unsure signatures."""
    indications = {report.indication for report in reports}
    if FAILED in indications:
        return VerificationReport(FAILED, None, reports)
    if not any(report.kind == "signature" for report in reports):
        return VerificationReport(INDETERMINATE, NO_SIGNATURE_FOUND, reports)
    if INDETERMINATE in indications:
        return VerificationReport(INDETERMINATE, None, reports)
    return VerificationReport(PASSED, None, reports)
