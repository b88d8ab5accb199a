"""A signature drawn on the phone: checked, trimmed, sized for the PDF.

The pad posts a PNG with a transparent background. It is untrusted: size and
pixel limits before decoding, it must be a PNG with ink, and the server trims
it to the ink again rather than trusting the client's trim.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from ..errors import InvalidImageError
from .appearance import SealArtwork

__all__ = ["MAX_BYTES", "signature_artwork"]

MAX_BYTES = 512 * 1024
_MAX_SIDE = 3000
_MIN_INK_PIXELS = 150
_HEIGHT_MM = 14.0
_MAX_WIDTH_MM = 45.0


def _trimmed(png: bytes) -> Image.Image:
    if len(png) > MAX_BYTES:
        raise InvalidImageError(
            f"The signature image is larger than {MAX_BYTES // 1024} KB.",
            code="invalid_signature",
        )
    try:
        with Image.open(io.BytesIO(png)) as opened:
            if opened.format != "PNG":
                raise InvalidImageError(
                    "The signature must be a PNG image.", code="invalid_signature"
                )
            if max(opened.size) > _MAX_SIDE or min(opened.size) < 1:
                raise InvalidImageError(
                    f"The signature image must be at most {_MAX_SIDE} pixels a side.",
                    code="invalid_signature",
                )
            image = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidImageError(
            "The signature is not a readable PNG image.", code="invalid_signature"
        ) from None
    ink = image.getchannel("A").point(lambda a: 255 if a > 40 else 0)
    box = ink.getbbox()
    if box is None or ink.histogram()[255] < _MIN_INK_PIXELS:
        raise InvalidImageError(
            "The signature is empty: please sign on the pad.", code="empty_signature"
        )
    return image.crop(box)


def signature_artwork(png: bytes) -> tuple[SealArtwork, bytes]:
    """The artwork for the PDF and the trimmed PNG (kept as evidence)."""
    image = _trimmed(png)
    height_mm = _HEIGHT_MM
    width_mm = height_mm * image.width / image.height
    if width_mm > _MAX_WIDTH_MM:
        width_mm, height_mm = _MAX_WIDTH_MM, _MAX_WIDTH_MM * image.height / image.width
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    trimmed = buffer.getvalue()
    return SealArtwork.from_png(trimmed, width_mm, height_mm), trimmed
