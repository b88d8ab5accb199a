"""Sealing PDFs: a visible seal as one PAdES signature per application.

Each seal is an incremental update signed with a :class:`CmsSigner`; earlier
signatures are never rewritten. Levels follow ETSI EN 319 142: B-B (CMS),
B-T (+ signature timestamp), B-LT (+ certificates and CRLs in the DSS),
B-LTA (+ a document timestamp over the DSS).
"""

from __future__ import annotations

import enum
import functools
import io
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.signers import PdfTimeStamper
from pyhanko.sign.signers.cms_embedder import PdfCMSEmbedder, SigIOSetup, SigObjSetup
from pyhanko.sign.signers.pdf_byterange import SignatureObject
from pyhanko.sign.timestamps import TimeStamper

from ..errors import ConflictError, PlacementError, TimestampError
from .appearance import MM, SealArtwork, add_seal_field
from .archival import LongTermMaterial, supply_validation_data
from .cms import CmsSigner
from .pdf_input import open_for_update, pdf_errors
from .placement import PdfText, Placement, RidingPlacement, Widget, resolve
from .seal_image import find_cjk_font
from .timestamping import timestamp_digest

__all__ = [
    "SEAL_RED",
    "PdfSealer",
    "SealOptions",
    "SealResult",
    "SignatureLevel",
]

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
SEAL_RED = (230, 0, 18)
# How far below a seal's centre its date label may be (about 50 mm).
_DATE_LABEL_REACH = 140.0


class SignatureLevel(enum.StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def timestamped(self) -> bool:
        return self is not SignatureLevel.B_B


@dataclass(frozen=True)
class SealOptions:
    """How one seal is applied."""

    placement: Placement
    level: SignatureLevel = SignatureLevel.B_T
    date: date | None = None
    """Adds a date stamp (2026年11月29日) below the seal."""
    date_ink: tuple[int, int, int] = SEAL_RED
    """The date's colour: seal red, or the ink of a handwritten signature."""
    date_label: str | None = None
    """Write the date after this label (日期：) where the page has one in the
    seal's column just below it; under the seal otherwise."""
    field_name: str | None = None
    """Name of the new signature field; ``Seal<n>`` by default."""
    size_mm: float | None = None
    """Printed width of the seal; its real size by default."""
    reason: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class SealResult:
    pdf: bytes
    field_name: str
    widgets: list[Widget] = field(default_factory=list)


def page_boxes(reader: PdfFileReader) -> list[Box]:
    """Each page's visible box (CropBox, else MediaBox, both inheritable), in order."""
    boxes: list[Box] = []
    stack = [(reader.root["/Pages"], None, None)]
    seen: set[int] = set()
    while stack:
        node, media, crop = stack.pop()
        if id(node) in seen:
            raise PlacementError("The page tree of the PDF loops.")
        seen.add(id(node))
        media = node.get("/MediaBox", media)
        crop = node.get("/CropBox", crop)
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            kids = [kid.get_object() for kid in node["/Kids"]]
            stack.extend((kid, media, crop) for kid in reversed(kids))
            continue
        box = crop if crop is not None else media
        if box is None:
            box = (0, 0, 595.28, 841.89)
        x1, y1, x2, y2 = (float(v) for v in box)
        boxes.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    if not boxes:
        raise PlacementError("The PDF has no pages.")
    return boxes


@functools.lru_cache(maxsize=64)
def date_artwork(day: date, ink: tuple[int, int, int] = SEAL_RED) -> SealArtwork:
    """A date stamp such as 2026年11月29日, 4.2 mm high."""
    text = f"{day.year}年{day.month}月{day.day}日"
    scale = 24  # pixels per millimetre
    font = ImageFont.truetype(find_cjk_font(bold=True), size=int(4.2 * scale))
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGBA", (right - left + 8, bottom - top + 8), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((4 - left, 4 - top), text, font=font, fill=(*ink, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SealArtwork.from_png(
        buffer.getvalue(), image.width / scale, image.height / scale
    )


def _date_widget(
    seal: Widget, artwork: SealArtwork, labels: list[tuple[int, Box]]
) -> Widget:
    """The date after the seal's own date label, or centred under the seal.

    The seal's label is the nearest one below the seal's centre, at most
    ``_DATE_LABEL_REACH`` away, in the seal's column: the rightmost label
    that starts left of the seal's centre.
    """
    x1, y1, x2, y2 = seal.rect
    centre_x, centre_y = (x1 + x2) / 2, (y1 + y2) / 2
    below = [
        box
        for page, box in labels
        if page == seal.page_index
        and box[0] < centre_x
        and centre_y - _DATE_LABEL_REACH < box[1] < centre_y
    ]
    if below:
        column = max(box[0] for box in below)
        label = max((box for box in below if box[0] == column), key=lambda b: b[1])
        left, middle = label[2] + 2, (label[1] + label[3]) / 2
        return Widget(
            seal.page_index,
            (
                left,
                middle - artwork.height_pt / 2,
                left + artwork.width_pt,
                middle + artwork.height_pt / 2,
            ),
        )
    top = y1 + artwork.height_pt * 0.5
    return Widget(
        seal.page_index,
        (
            centre_x - artwork.width_pt / 2,
            top - artwork.height_pt,
            centre_x + artwork.width_pt / 2,
            top,
        ),
    )


def _next_field_name(reader: PdfFileReader) -> str:
    taken = {name for name, _, _ in enumerate_sig_fields(reader)}
    number = len(taken) + 1
    while f"Seal{number}" in taken:
        number += 1
    return f"Seal{number}"


class PdfSealer:
    """Applies one seal (image + key) to PDFs.

    Built once per seal and reused: the key, the encoded certificates and the
    compressed image are prepared here, not per document.

    :param signer: CMS signer over the seal's key and certificate chain.
    :param artwork: the seal image at its physical size.
    :param timestamper: the TSA for B-T and above.
    :param long_term: certificates and CRLs for B-LT and above.
    :param max_bytes: the largest PDF accepted.
    """

    def __init__(
        self,
        signer: CmsSigner,
        artwork: SealArtwork,
        *,
        timestamper: TimeStamper | None,
        long_term: LongTermMaterial | None,
        max_bytes: int,
    ) -> None:
        self._signer = signer
        self._artwork = artwork
        self._timestamper = timestamper
        self._long_term = long_term
        self._max_bytes = max_bytes
        self._token_size: int | None = None

    def seal(self, pdf: bytes, options: SealOptions) -> SealResult:
        """Seal ``pdf``; the input bytes are never modified."""
        if options.level.timestamped and self._timestamper is None:
            raise TimestampError("No timestamp authority is configured.")
        if options.date is not None and isinstance(options.placement, RidingPlacement):
            raise PlacementError(
                "A date stamp goes with a placed seal, not a riding seal."
            )
        writer = open_for_update(pdf, self._max_bytes)
        with pdf_errors(), PdfText(pdf) as text:
            widgets = resolve(
                options.placement,
                pdf=text,
                page_boxes=page_boxes(writer.prev),
                size=self._printed_size(options.size_mm),
            )
            placed = [(self._artwork, widgets)]
            if options.date is not None:
                stamp = date_artwork(options.date, options.date_ink)
                labels = (
                    text.boxes(options.date_label, pages=[widgets[0].page_index])
                    if options.date_label
                    else []
                )
                placed.append((stamp, [_date_widget(widgets[0], stamp, labels)]))
            name = options.field_name or _next_field_name(writer.prev)
            if any(
                existing == name for existing, _, _ in enumerate_sig_fields(writer.prev)
            ):
                raise ConflictError(f"The document already has a field named {name!r}.")
            add_seal_field(writer, name, placed)
            # Writing the update reads the rest of the untrusted file lazily.
            signed, contents = self._sign(writer, name, options)
        if options.level in (SignatureLevel.B_LT, SignatureLevel.B_LTA):
            signed = self._add_long_term_data(signed, contents, options.level)
        return SealResult(pdf=signed, field_name=name, widgets=widgets)

    def _printed_size(self, size_mm: float | None) -> tuple[float, float]:
        width, height = self._artwork.size
        if size_mm is None:
            return width, height
        if not 5 <= size_mm <= 200:
            raise PlacementError("The seal size must be between 5 and 200 mm.")
        scale = size_mm * MM / width
        return width * scale, height * scale

    def _reserved_bytes(self, level: SignatureLevel) -> int:
        token_size = 0
        if level.timestamped:
            if self._token_size is None:
                self._token_size = len(self._timestamp(bytes(32)))
            token_size = self._token_size + 1024
        # pyHanko counts the reserved /Contents in hex digits: two per byte.
        return 2 * (self._signer.container_size(timestamp_token_size=token_size) + 32)

    def _timestamp(self, digest: bytes) -> bytes:
        assert self._timestamper is not None
        return timestamp_digest(self._timestamper, digest)

    def _sign(
        self, writer: IncrementalPdfFileWriter, name: str, options: SealOptions
    ) -> tuple[bytes, bytes]:
        embedder = PdfCMSEmbedder().write_cms(
            field_name=name, writer=writer, existing_fields_only=True
        )
        next(embedder)
        embedder.send(
            SigObjSetup(
                sig_placeholder=SignatureObject(
                    timestamp=datetime.now(UTC),
                    subfilter=SigSeedSubFilter.PADES,
                    bytes_reserved=self._reserved_bytes(options.level),
                    name=self._signer.certificate.subject.native.get("common_name"),
                    reason=options.reason,
                    location=options.location,
                )
            )
        )
        prepared, output = embedder.send(
            SigIOSetup(md_algorithm="sha256", in_place=False, output=io.BytesIO())
        )
        container = self._signer.sign(
            prepared.document_digest,
            timestamp=self._timestamp if options.level.timestamped else None,
        )
        contents = embedder.send(container)
        return output.getvalue(), contents

    def _add_long_term_data(
        self, signed: bytes, contents: bytes, level: SignatureLevel
    ) -> bytes:
        assert self._long_term is not None
        assert self._timestamper is not None
        writer = IncrementalPdfFileWriter(io.BytesIO(signed))
        supply_validation_data(writer, contents, self._long_term)
        output = io.BytesIO()
        if level is SignatureLevel.B_LTA:
            PdfTimeStamper(self._timestamper).timestamp_pdf(
                writer,
                "sha256",
                output=output,
                bytes_reserved=self._reserved_bytes(level),
            )
        else:
            writer.write(output)
        return output.getvalue()
