"""Small python-docx helpers for the formatting python-docx has no API for."""

from __future__ import annotations

from docx.enum.text import WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .standard import CHAR_PITCH_PT, LINE_PITCH_PT

__all__ = ["RED", "border", "format_paragraph", "format_run", "set_child", "tab_stop"]

RED = RGBColor(0xE6, 0x00, 0x12)
"""Y80% M80% is the standard's red; this is its usual screen equivalent."""


_PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_RPR_ORDER = (
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_TBLPR_ORDER = (
    "w:tblStyle",
    "w:tblpPr",
    "w:tblOverlap",
    "w:bidiVisual",
    "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize",
    "w:tblW",
    "w:jc",
    "w:tblCellSpacing",
    "w:tblInd",
    "w:tblBorders",
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
)
_ORDERS = {"pPr": _PPR_ORDER, "rPr": _RPR_ORDER, "tblPr": _TBLPR_ORDER}


def set_child(parent, tag: str, element=None, **attributes: str):
    """Set (or replace with ``element``) the child ``tag`` in its schema position.

    Word rejects properties out of the order the schema gives; LibreOffice may
    silently ignore them.
    """
    existing = parent.find(qn(tag))
    if element is not None and existing is not None:
        parent.remove(existing)
        existing = None
    if existing is None:
        existing = element if element is not None else OxmlElement(tag)
        order = _ORDERS[parent.tag.rsplit("}", 1)[1]]
        successors = order[order.index(tag) + 1 :]
        parent.insert_element_before(existing, *successors)
    for name, value in attributes.items():
        existing.set(qn(f"w:{name}"), value)
    return existing


def format_run(
    run: Run,
    *,
    font: str,
    size: float,
    bold: bool = False,
    color: RGBColor | None = None,
    scale: int | None = None,
    spacing_pt: float | None = None,
) -> Run:
    """Font for Latin and East Asian text alike, size, colour, width scale, tracking.

    ``spacing_pt`` defaults to the standard's grid: 16 pt text set 0.25 pt tight.
    """
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    properties = run._element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    if spacing_pt is None:
        spacing_pt = CHAR_PITCH_PT - 16 if size == 16 else 0
    if spacing_pt:
        set_child(properties, "w:spacing", val=str(round(spacing_pt * 20)))
    if scale is not None and scale != 100:
        set_child(properties, "w:w", val=str(scale))
    return run


def format_paragraph(
    paragraph: Paragraph,
    *,
    alignment=None,
    line_pt: float = LINE_PITCH_PT,
    first_line_pt: float = 0,
    left_pt: float = 0,
    right_pt: float = 0,
    before_pt: float = 0,
) -> Paragraph:
    """Exact line height (the 22-line grid), indents, no extra spacing."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(before_pt)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(first_line_pt) if first_line_pt else None
    fmt.left_indent = Pt(left_pt) if left_pt else None
    fmt.right_indent = Pt(right_pt) if right_pt else None
    fmt.widow_control = False
    if alignment is not None:
        paragraph.alignment = alignment
    properties = paragraph._p.get_or_add_pPr()
    # No grid snapping and no automatic gap between CJK and digits: the text
    # sits on the standard's own grid, and dates read 2026年11月29日.
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN", "w:snapToGrid"):
        set_child(properties, tag, val="0")
    return paragraph


def border(
    paragraph: Paragraph,
    side: str,
    *,
    size_pt: float,
    space_pt: float,
    color: str = "E60012",
) -> None:
    """A paragraph border (the red separator, the 版记 lines), kept in schema order."""
    borders = set_child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(round(size_pt * 8)))
    edge.set(qn("w:space"), str(round(space_pt)))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def tab_stop(paragraph: Paragraph, position_pt: float, alignment: str) -> None:
    """A ``left``, ``center`` or ``right`` tab stop ``position_pt`` from the margin."""
    paragraph.paragraph_format.tab_stops.add_tab_stop(
        Pt(position_pt), getattr(WD_TAB_ALIGNMENT, alignment.upper())
    )
