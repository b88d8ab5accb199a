"""Issuing a red-header official document: number, compose, convert, seal.

The number is reserved first and committed; if anything after that fails, the
number is recorded as void with the reason, so the register has no silent gaps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import red_header
from red_header.check import LayoutReport, check
from red_header.seal_position import seal_spots

from ..documents import check_docx
from ..errors import BridgeError, InvalidInputError, NotFoundError
from ..runtime import runtime
from ..signing.pdf_input import check_pdf_bytes, pdf_errors
from ..signing.placement import PagePlacement
from ..signing.sealer import SealOptions, SignatureLevel
from . import doc_numbers
from .conversion import convert_docx
from .sealing import seal_pdf

__all__ = ["IssuedDocument", "issue_official_document", "layout_check", "templates"]

_NUMBER = re.compile(r"^(?P<organ>.+?)〔(?P<year>\d{4})〕(?P<serial>\d+)号$")


@dataclass(frozen=True)
class IssuedDocument:
    number: str
    docx: bytes
    pdf: bytes | None
    sealed_by: tuple[str, ...]


def templates() -> list[str]:
    return red_header.list_templates()


def _library_errors(exc: red_header.RedHeaderError) -> BridgeError:
    if isinstance(exc, red_header.MetadataError):
        lines = "; ".join(f"{k}: {v}" for k, v in exc.problems.items())
        return InvalidInputError(
            f"The document metadata is incomplete: {lines}.",
            code="invalid_metadata",
            details=exc.problems,
        )
    if isinstance(exc, red_header.TemplateError) and "no red-header template" in str(
        exc
    ):
        return NotFoundError(str(exc), code="unknown_template")
    return InvalidInputError(str(exc), code="red_header_failed")


def _number_for(document: red_header.OfficialDocument):
    """Reserve the next number, or record the one given by hand."""
    if document.doc_number is None:
        return doc_numbers.reserve_number(
            document.organ_code, document.date.year, document.title
        )
    match = _NUMBER.match(document.doc_number)
    return doc_numbers.register_number(
        document.doc_number,
        match["organ"],
        int(match["year"]),
        int(match["serial"]),
        document.title,
    )


def issue_official_document(
    template: str,
    data: Any,
    *,
    body_docx: bytes | None = None,
    to_pdf: bool = True,
    seals: Sequence[str] = (),
    backend: str | None = None,
) -> IssuedDocument:
    """Compose (and convert, and seal at the date) one official document.

    :param seals: one seal per issuer, in the issuers' order, pressed on the
        signatures and the date as §7.3.5.1 says.
    :param backend: a one-off converter (``soffice``) instead of the app's pool.
    """
    try:
        document = red_header.parse_metadata(data, body_given=body_docx is not None)
        options = red_header.find_template(template)[1]
    except red_header.RedHeaderError as exc:
        raise _library_errors(exc) from exc
    if seals and not to_pdf:
        raise InvalidInputError(
            "Seals are applied to the PDF: ask for a .pdf output.",
            code="seal_needs_pdf",
        )
    if seals and not options.sealed:
        raise InvalidInputError(
            f"The template {template!r} carries no seal.", code="template_not_sealed"
        )
    if seals and len(seals) != len(document.signature):
        raise InvalidInputError(
            f"Give one seal per issuer: {len(document.signature)} needed, "
            f"{len(seals)} given.",
            code="seal_count",
        )
    if body_docx is not None:
        check_docx(body_docx, runtime().config["MAX_UPLOAD_BYTES"])
    number = _number_for(document)
    try:
        issued = _produce(
            template,
            document.with_number(number.number),
            body_docx,
            to_pdf,
            seals,
            backend,
        )
    except BaseException as exc:
        reason = exc.message if isinstance(exc, BridgeError) else type(exc).__name__
        doc_numbers.mark_void(number.id, reason)
        raise
    doc_numbers.mark_used(number.id)
    return issued


def _produce(template, document, body_docx, to_pdf, seals, backend) -> IssuedDocument:
    try:
        docx = red_header.compose(template, document, body_docx=body_docx)
    except red_header.RedHeaderError as exc:
        raise _library_errors(exc) from exc
    pdf = convert_docx(docx, backend=backend) if to_pdf else None
    if seals:
        try:
            spots = seal_spots(pdf, document.signature)
        except red_header.RedHeaderError as exc:
            raise _library_errors(exc) from exc
        for seal, spot in zip(seals, spots, strict=True):
            placement = PagePlacement(spot.page, spot.x, spot.y)
            options = SealOptions(
                placement=placement,
                level=SignatureLevel.B_T,
                reason=f"{document.doc_number} 发文",
            )
            pdf = seal_pdf(pdf, seal, options).pdf
    return IssuedDocument(document.doc_number, docx, pdf, tuple(seals))


def layout_check(pdf: bytes) -> LayoutReport:
    """Measure a PDF against GB/T 9704-2012."""
    check_pdf_bytes(pdf, runtime().config["MAX_UPLOAD_BYTES"])
    with pdf_errors():
        return check(pdf)
