"""A person's signature image, until signer pages deliver a hand-drawn one.

The name is set in a 楷体 font, slanted a little, in black ink on a transparent
background.
"""

from __future__ import annotations

import functools
import io
import subprocess

from PIL import Image, ImageDraw, ImageFont

from .appearance import SealArtwork
from .seal_image import find_cjk_font

__all__ = ["SIGNATURE_INK", "typeset_signature"]

_PX_PER_MM = 16
_GLYPH_MM = 11.0
SIGNATURE_INK = (16, 16, 40)


@functools.lru_cache(maxsize=1)
def _kai_font() -> str:
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", "AR PL UKai CN"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    return found if "kai" in found.lower() else find_cjk_font(bold=False)


def typeset_signature(name: str) -> SealArtwork:
    """``name`` in 楷体, about 11 mm high, slanted like handwriting."""
    font = ImageFont.truetype(_kai_font(), size=int(_GLYPH_MM * _PX_PER_MM))
    left, top, right, bottom = font.getbbox(name)
    pad = _PX_PER_MM * 2
    image = Image.new(
        "RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0)
    )
    ImageDraw.Draw(image).text(
        (pad - left, pad - top), name, font=font, fill=(*SIGNATURE_INK, 255)
    )
    shear = 0.18
    image = image.transform(
        (int(image.width + image.height * shear), image.height),
        Image.Transform.AFFINE,
        (1, shear, -image.height * shear, 0, 1, 0),
        resample=Image.Resampling.BICUBIC,
    )
    return _artwork(image)


def _artwork(image: Image.Image) -> SealArtwork:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SealArtwork.from_png(
        buffer.getvalue(), image.width / _PX_PER_MM, image.height / _PX_PER_MM
    )
