"""Where the issuer's seals go, found in the PDF itself (§7.3.5.1).

The 成文日期 and the 发文机关署名 above it are located in the produced PDF, so
the seals follow the real line breaks and fonts, not the template's intent.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pdfplumber

from ._pdftext import body_of, page_lines
from .errors import RedHeaderError
from .standard import MM

__all__ = ["SealSpot", "seal_spots"]

_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日$")
_ABOVE_CENTRE_MM = 1.5
"""How far above the signature's top the seal's centre sits: 署名 and date then
lie in the lower half of the seal (居印章中心偏下)."""


@dataclass(frozen=True)
class SealSpot:
    """The centre of one seal: page (1-based) and PDF points from the bottom-left."""

    page: int
    x: float
    y: float


def _centre_of(text: str, line, chars) -> float | None:
    """The x centre (mm) of ``text`` inside a line, from its characters."""
    start = line.text.find(text)
    if start < 0:
        return None
    picked = chars[start : start + len(text)]
    return (picked[0]["x0"] + picked[-1]["x1"]) / 2 / MM


def seal_spots(pdf: bytes, signatures: Sequence[str]) -> list[SealSpot]:
    """One spot per signature, in order; the last seal also presses the date.

    :raises RedHeaderError: the date or a signature is not in the PDF.
    """
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number in range(len(document.pages), 0, -1):
            page = document.pages[number - 1]
            body = body_of(page_lines(page, number - 1))
            dates = [line for line in body if _DATE.search(line.text)]
            if dates:
                break
        else:
            raise RedHeaderError("The PDF has no 成文日期 (date) to seal at.")
        date = dates[-1]
        above = [line for line in body if line.bottom <= date.top + 0.5]
        if not above:
            raise RedHeaderError("No 发文机关署名 stands above the date.")
        signature_line = above[-1]
        chars = sorted(
            (
                c
                for c in page.chars
                if not c["text"].isspace()
                and abs(c["top"] / MM - signature_line.top) < 1.5
            ),
            key=lambda c: c["x0"],
        )
        height = page.height
    spots = []
    for index, name in enumerate(signatures):
        centre = _centre_of(name, signature_line, chars)
        if centre is None:
            raise RedHeaderError(f"The signature {name!r} is not above the date.")
        if index == len(signatures) - 1:
            centre = (centre + date.centre_x) / 2
        top = signature_line.top - _ABOVE_CENTRE_MM
        spots.append(SealSpot(number, centre * MM, height - top * MM))
    return spots
