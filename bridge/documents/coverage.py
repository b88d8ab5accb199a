"""Which characters the installed fonts can draw, to skip needless glyph checks.

LibreOffice draws a box only for a character that no installed font covers;
when every character of a document is covered, checking the PDF glyph by
glyph (the expensive part of the font check) cannot find anything.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
import zipfile
from io import BytesIO

__all__ = ["installed_coverage", "uncovered_characters"]

_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


@functools.lru_cache(maxsize=1)
def installed_coverage() -> frozenset[int]:
    """Every code point some installed font covers (from fontconfig)."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    points: set[int] = set()
    for token in listing.split():
        first, _, last = token.partition("-")
        try:
            points.update(range(int(first, 16), int(last or first, 16) + 1))
        except ValueError:
            continue
    return frozenset(points)


def uncovered_characters(docx: bytes) -> set[str]:
    """Characters of the document's text that no installed font covers."""
    covered = installed_coverage()
    characters: set[str] = set()
    with zipfile.ZipFile(BytesIO(docx)) as package:
        for name in package.namelist():
            if _PARTS.match(name):
                for match in _TEXT.finditer(package.read(name)):
                    characters.update(html.unescape(match.group(1).decode()))
    return {c for c in characters if not c.isspace() and ord(c) not in covered}
