"""Visible seals: the seal image as the appearance of signature widgets.

A :class:`SealArtwork` decodes and compresses a seal image once; every
signature then only adds the ready-made image streams to the document. One
signature field may own several widgets (a riding seal's slices, every keyword
occurrence, a date stamp), so each seal stays a single PAdES signature.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import ensure_sig_flags, prepare_sig_field

from .placement import Widget

__all__ = ["SealArtwork", "add_seal_field"]

MM = 72 / 25.4
_PRINT_AND_LOCKED = 4 | 128


@dataclass(frozen=True)
class SealArtwork:
    """A seal image ready for PDF: Flate-compressed colour and alpha planes."""

    pixel_width: int
    pixel_height: int
    rgb_flate: bytes
    alpha_flate: bytes
    width_pt: float
    height_pt: float

    @classmethod
    def from_png(cls, png: bytes, width_mm: float, height_mm: float) -> SealArtwork:
        """Prepare ``png`` (RGBA) to be printed ``width_mm`` × ``height_mm``."""
        with Image.open(io.BytesIO(png)) as opened:
            image = opened.convert("RGBA")
        return cls(
            pixel_width=image.width,
            pixel_height=image.height,
            rgb_flate=zlib.compress(image.convert("RGB").tobytes(), 6),
            alpha_flate=zlib.compress(image.getchannel("A").tobytes(), 6),
            width_pt=width_mm * MM,
            height_pt=height_mm * MM,
        )

    @property
    def size(self) -> tuple[float, float]:
        return self.width_pt, self.height_pt

    def add_image(self, writer: IncrementalPdfFileWriter) -> generic.IndirectObject:
        """Add the image XObject (with its soft mask) to ``writer``."""

        def image(colour_space: str, data: bytes, **extra) -> generic.StreamObject:
            entries = {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(self.pixel_width),
                pdf_name("/Height"): generic.NumberObject(self.pixel_height),
                pdf_name("/ColorSpace"): pdf_name(colour_space),
                pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
                **{pdf_name(f"/{k}"): v for k, v in extra.items()},
            }
            return generic.StreamObject(
                generic.DictionaryObject(entries), encoded_data=data
            )

        mask = writer.add_object(image("/DeviceGray", self.alpha_flate))
        return writer.add_object(image("/DeviceRGB", self.rgb_flate, SMask=mask))


def _appearance(
    writer: IncrementalPdfFileWriter,
    image_ref: generic.IndirectObject,
    artwork: SealArtwork,
    widget: Widget,
) -> generic.IndirectObject:
    """A form XObject showing the artwork, or one slice of it for a riding seal."""
    x1, y1, x2, y2 = widget.rect
    width, height = x2 - x1, y2 - y1
    shift = 0.0
    drawn_width = width
    if widget.part is not None:
        index, count = widget.part
        drawn_width = width * count
        shift = -index * width
    content = b"q %.4f 0 0 %.4f %.4f 0 cm /Seal Do Q" % (drawn_width, height, shift)
    stream = generic.StreamObject(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    [
                        generic.FloatObject(0),
                        generic.FloatObject(0),
                        generic.FloatObject(width),
                        generic.FloatObject(height),
                    ]
                ),
                pdf_name("/Resources"): generic.DictionaryObject(
                    {
                        pdf_name("/XObject"): generic.DictionaryObject(
                            {pdf_name("/Seal"): image_ref}
                        )
                    }
                ),
            }
        ),
        stream_data=content,
    )
    return writer.add_object(stream)


def _annotation(
    page_ref: generic.IndirectObject,
    rect: tuple[float, float, float, float],
    appearance_ref: generic.IndirectObject,
) -> generic.DictionaryObject:
    # No /Parent, as pyHanko writes its widgets: poppler (22.x) counts a widget
    # carrying /Parent as a separate, unsigned signature field.
    return generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/F"): generic.NumberObject(_PRINT_AND_LOCKED),
            pdf_name("/Rect"): generic.ArrayObject(
                [generic.FloatObject(round(v, 4)) for v in rect]
            ),
            pdf_name("/P"): page_ref,
            pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): appearance_ref}),
        }
    )


def add_seal_field(
    writer: IncrementalPdfFileWriter,
    field_name: str,
    placed: Sequence[tuple[SealArtwork, Sequence[Widget]]],
) -> generic.IndirectObject:
    """Create the signature field ``field_name`` whose widgets show the artworks.

    :param placed: each artwork (the seal, a date stamp) with its widgets.
    :return: a reference to the new field.
    """
    first = placed[0][1][0]
    first_page = writer.find_page_for_modification(first.page_index)[0]
    _, field_ref = prepare_sig_field(
        field_name,
        writer.root,
        update_writer=writer,
        box=first.rect,
        include_on_page=first_page,
        combine_annotation=False,
    )
    ensure_sig_flags(writer=writer, lock_sig_flags=False)
    field = field_ref.get_object()
    kids = field["/Kids"]
    first_annotation_ref = kids[0]
    for artwork, widgets in placed:
        image_ref = artwork.add_image(writer)
        for widget in widgets:
            page_ref = writer.find_page_for_modification(widget.page_index)[0]
            appearance_ref = _appearance(writer, image_ref, artwork, widget)
            annotation = _annotation(page_ref, widget.rect, appearance_ref)
            if widget is first:
                # prepare_sig_field already made and registered this widget.
                first_annotation_ref.get_object().update(annotation)
                continue
            annotation_ref = writer.add_object(annotation)
            kids.append(annotation_ref)
            writer.register_annotation(page_ref, annotation_ref)
    return field_ref
