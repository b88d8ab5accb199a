"""Checking a converted PDF for fonts that would print wrongly elsewhere.

LibreOffice never fails on a missing font: it substitutes silently, and when no
installed font has a character it draws the ``.notdef`` box of its last-resort
font (Chinese text on a machine without CJK fonts comes out as boxes). Both
are caught here: every font must be embedded (the ``emb`` column of
``pdffonts``), and no character may be drawn with a glyph whose outline is its
font's ``.notdef``. Subsetting renames glyphs, so the outlines are compared.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from fontTools.misc import psCharStrings, psLib
from fontTools.misc.eexec import decrypt
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral

from ..errors import ConversionError, FontCheckError

__all__ = ["check_pdf_fonts"]

FONT_FILES = ("FontFile", "FontFile2", "FontFile3")
INVISIBLE = {"Zs", "Zl", "Zp", "Cc", "Cf"}
"""Categories drawn without ink, whose glyphs may look like an empty .notdef."""

Outline = list[tuple[str, tuple[Any, ...]]]

# LibreOffice's subsets carry a zero creation date, which fontTools logs about.
logging.getLogger("fontTools.ttLib.tables._h_e_a_d").setLevel(logging.ERROR)
logging.getLogger("pdfminer").setLevel(logging.ERROR)


def check_pdf_fonts(pdf: bytes, *, glyphs: bool = True) -> None:
    """Raise :class:`FontCheckError` for a font not embedded or a missing glyph.

    :param glyphs: compare every drawn glyph with ``.notdef`` (the costly part);
        callers that know every character is covered by a font may skip it.
    """
    not_embedded: list[str] = []
    missing: dict[str, set[str]] = {}
    try:
        for font in _fonts(pdf):
            name = _name(font.get("BaseFont"))
            descriptor = resolve1(_descendant(font).get("FontDescriptor")) or {}
            if _name(font.get("Subtype")) == "Type3":
                continue
            if not any(key in descriptor for key in FONT_FILES):
                not_embedded.append(name)
                continue
            text = _missing_text(font, descriptor) if glyphs else None
            if text:
                missing.setdefault(name.partition("+")[2] or name, set()).update(text)
    except (ValueError, TypeError, KeyError, IndexError, AssertionError) as exc:
        raise ConversionError(f"The converted PDF has unreadable fonts: {exc}") from exc
    if not_embedded:
        raise FontCheckError(
            f"Fonts not embedded in the PDF: {', '.join(sorted(set(not_embedded)))}.",
            code="font_not_embedded",
        )
    if missing:
        detail = "; ".join(
            f"{''.join(sorted(chars))[:20]} in {font}"
            for font, chars in sorted(missing.items())
        )
        raise FontCheckError(
            f"Characters drawn without a glyph (boxes): {detail}; install a font "
            "that covers them."
        )


def _fonts(pdf: bytes) -> Iterator[dict[str, Any]]:
    """Each font dictionary of every page and form XObject, once."""
    document = PDFDocument(PDFParser(io.BytesIO(pdf)))
    seen: set[int] = set()
    pending = [page.resources for page in PDFPage.create_pages(document)]
    while pending:
        resources = resolve1(pending.pop()) or {}
        for ref in (resolve1(resources.get("Font")) or {}).values():
            if id(font := resolve1(ref)) not in seen:
                seen.add(id(font))
                yield font
        for ref in (resolve1(resources.get("XObject")) or {}).values():
            xobject = resolve1(ref)
            if isinstance(xobject, PDFStream) and id(xobject) not in seen:
                seen.add(id(xobject))
                pending.append(xobject.attrs.get("Resources"))


def _name(value: Any) -> str:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        return str(value.name)
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _descendant(font: dict[str, Any]) -> dict[str, Any]:
    if _name(font.get("Subtype")) == "Type0":
        return resolve1(resolve1(font["DescendantFonts"])[0])
    return font


def _missing_text(font: dict[str, Any], descriptor: dict[str, Any]) -> set[str]:
    """Characters whose glyph is the font's .notdef (or absent)."""
    to_unicode = resolve1(font.get("ToUnicode"))
    if not isinstance(to_unicode, PDFStream):
        return set()
    unicode_map = FileUnicodeMap()
    CMapParser(unicode_map, io.BytesIO(to_unicode.get_data())).run()
    outline = _outlines(font, descriptor)
    if outline is None:
        return set()
    notdef = outline(None)
    return {
        text[:1]
        for code, text in unicode_map.cid2unichr.items()
        if text
        and unicodedata.category(text[0]) not in INVISIBLE
        and outline((code, text)) == notdef
    }


def _outlines(
    font: dict[str, Any], descriptor: dict[str, Any]
) -> Callable[[tuple[int, str] | None], Outline] | None:
    """``(code, text) → outline`` for the embedded program; ``None`` → .notdef's."""
    if "FontFile2" in descriptor:
        program = TTFont(io.BytesIO(resolve1(descriptor["FontFile2"]).get_data()))
        order = program.getGlyphOrder()
        glyphs = program.getGlyphSet()
        if _name(font.get("Subtype")) == "Type0":
            to_gid = _cid_to_gid(_descendant(font))

            def glyph(key):
                gid = to_gid(key[0]) if key else 0
                return order[gid] if gid < len(order) else None

        else:
            lookup = _truetype_lookup(program)

            def glyph(key):
                return lookup(*key) if key else order[0]

        return lambda key: _draw(glyphs, glyph(key))
    if "FontFile" in descriptor:
        program = _type1(resolve1(descriptor["FontFile"]).get_data())
        encoding = program["Encoding"]
        charstrings = program["CharStrings"]
        return lambda key: _draw(
            charstrings, encoding[key[0]] if key and key[0] < 256 else ".notdef"
        )
    return None  # CFF programs (FontFile3): LibreOffice and Word do not write them


def _cid_to_gid(cid_font: dict[str, Any]) -> Callable[[int], int]:
    mapping = resolve1(cid_font.get("CIDToGIDMap"))
    if not isinstance(mapping, PDFStream):  # /Identity
        return lambda cid: cid
    table = mapping.get_data()
    return lambda cid: int.from_bytes(table[2 * cid : 2 * cid + 2] or b"\xff\xff")


def _truetype_lookup(program: TTFont) -> Callable[[int, str], str | None]:
    """A simple TrueType font's code → glyph name (PDF 32000 §9.6.6.4)."""
    tables = {(t.platformID, t.platEncID): t.cmap for t in program["cmap"].tables}

    def lookup(code: int, text: str) -> str | None:
        for key, candidate in (((3, 0), code), ((3, 0), 0xF000 + code), ((1, 0), code)):
            if candidate in tables.get(key, {}):
                return tables[key][candidate]
        return tables.get((3, 1), {}).get(ord(text[0]))

    return lookup


def _type1(data: bytes) -> dict[str, Any]:
    """Parse a Type 1 program (as embedded: clear text + binary eexec part)."""
    font = psLib.suckfont(data)
    private = font["Private"]
    skip = private.get("lenIV", 4)
    subrs = private.get("Subrs", [])
    for index, encrypted in enumerate(subrs):  # in place: charstrings share the list
        subrs[index] = psCharStrings.T1CharString(
            decrypt(encrypted, 4330)[0][skip:], subrs=subrs
        )
    font["CharStrings"] = {
        name: psCharStrings.T1CharString(decrypt(data, 4330)[0][skip:], subrs=subrs)
        for name, data in font["CharStrings"].items()
    }
    return font


def _draw(glyphs: Any, name: str | None) -> Outline:
    if name is None or name not in glyphs:
        name = ".notdef"
    if name not in glyphs:
        return []
    pen = RecordingPen()
    glyphs[name].draw(pen)
    return pen.value
