"""The variable blocks of an official document, built as docxtpl sub-documents.

Templates hold the page, the fixed paragraphs and their styles; the blocks whose
shape depends on the data — the issuer mark (one or several organs), the body,
the attachments note, the signatures with the date, and the 版记 — are built
here so every document keeps the standard's geometry.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from docx.enum.table import (
    WD_CELL_VERTICAL_ALIGNMENT,
    WD_ROW_HEIGHT_RULE,
    WD_TABLE_ALIGNMENT,
)
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from ._docx import RED, border, format_paragraph, format_run, set_child, tab_stop
from .errors import TemplateError
from .metadata import OfficialDocument, chinese_date
from .standard import (
    CHAR_PITCH_PT,
    FONT,
    LINE_PITCH_PT,
    MM,
    SIZE,
    TEXT_BLOCK_HEIGHT_MM,
    TEXT_BLOCK_WIDTH_MM,
)

__all__ = [
    "SEAL_DIAMETER_PT",
    "attachments_block",
    "body_block",
    "colophon_block",
    "keep_last_with_next",
    "mark_block",
    "signature_block",
]

WIDTH_PT = TEXT_BLOCK_WIDTH_MM * MM
SEAL_DIAMETER_PT = 42 * MM
_SEAL_GAP_PT = 10.0
_HEADINGS = (
    (re.compile(r"^[一二三四五六七八九十]+、"), FONT["heiti"]),
    (re.compile(r"^（[一二三四五六七八九十]+）"), FONT["kaiti"]),
)
_HEADING_STYLES = {
    "heading 1": FONT["heiti"],
    "heading 2": FONT["kaiti"],
    "标题 1": FONT["heiti"],
    "标题 2": FONT["kaiti"],
}


def _mark_size(characters: int) -> tuple[float, int]:
    """Type size and width scale that make the mark fit the 156 mm text block."""
    size = float(SIZE["小初"])
    scale = min(100, int(WIDTH_PT * 0.98 / (characters * size) * 100))
    if scale < 60:
        scale = 60
        size = WIDTH_PT * 0.98 / (characters * 0.6)
    return size, scale


def _mark_paragraph(
    paragraph: Paragraph,
    text: str,
    size: float,
    scale: int,
    alignment=WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    format_paragraph(paragraph, alignment=alignment, line_pt=round(size * 1.25, 2))
    format_run(
        paragraph.add_run(text),
        font=FONT["xiaobiaosong"],
        size=size,
        color=RED,
        scale=scale,
        spacing_pt=0,
    )


def _borders(table: Table, **sizes_pt: float) -> None:
    """Table borders: the named sides in black at the given widths, none elsewhere."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        size = sizes_pt.get(side)
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(round(size * 8)))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    set_child(table._tbl.tblPr, "w:tblBorders", borders)


def mark_block(subdoc, issuers: Sequence[str], suffix: str) -> None:
    """发文机关标志 in red: ``中国重型汽车集团有限公司文件``.

    Joint issuance stacks the organs, the main organ first, with ``suffix``
    to their right, centred on them (§7.2.4).
    """
    if len(issuers) == 1:
        text = issuers[0] + suffix
        _mark_paragraph(subdoc.add_paragraph(), text, *_mark_size(len(text)))
        return
    longest = max(len(name) for name in issuers)
    size, scale = _mark_size(longest + len(suffix) + 1)
    table = subdoc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    table.autofit = False
    names, word = table.rows[0].cells
    glyph = size * scale / 100
    for column, cell, characters in ((0, names, longest), (1, word, len(suffix))):
        width = Pt(glyph * characters + 12)
        table.columns[column].width = width  # the grid LibreOffice lays out by
        cell.width = width
    for index, name in enumerate(issuers):
        paragraph = names.paragraphs[0] if index == 0 else names.add_paragraph()
        _mark_paragraph(paragraph, name, size, scale, WD_ALIGN_PARAGRAPH.DISTRIBUTE)
    word.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _mark_paragraph(word.paragraphs[0], suffix, size, scale)


def _body_paragraph(paragraph: Paragraph, text: str, heading_font: str | None) -> None:
    format_paragraph(
        paragraph, alignment=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_pt=2 * CHAR_PITCH_PT
    )
    font = heading_font
    if font is None:
        font = next((f for pattern, f in _HEADINGS if pattern.match(text)), None)
    if font is None:
        format_run(paragraph.add_run(text), font=FONT["fangsong"], size=SIZE["三号"])
        return
    # A heading sentence in its own font; what follows it in 仿宋 (§7.3.3).
    head, stop, rest = text.partition("。")
    format_run(paragraph.add_run(head + stop), font=font, size=SIZE["三号"])
    if rest:
        format_run(paragraph.add_run(rest), font=FONT["fangsong"], size=SIZE["三号"])


def _heading_font_of_style(paragraph: Paragraph) -> str | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return _HEADING_STYLES.get(name.lower())


def _restyle_table(table: Table) -> None:
    """4号仿宋 in rows at least one grid line high: the text after stays on grid."""
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows:
        row.height = Pt(LINE_PITCH_PT)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for cell in row.cells:
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            for paragraph in cell.paragraphs:
                text = paragraph.text
                for run in list(paragraph.runs):
                    run._element.getparent().remove(run._element)
                format_paragraph(paragraph, line_pt=22)
                format_run(
                    paragraph.add_run(text),
                    font=FONT["fangsong"],
                    size=SIZE["四号"],
                    spacing_pt=0,
                )


def body_block(template, document: OfficialDocument, body_docx: bytes | None):
    """正文 in 3号仿宋 with two-character indents, headings in their standard fonts.

    A drafter's ``.docx`` keeps its paragraphs, tables and heading levels; its
    fonts and spacing are replaced by the standard's.
    """
    if body_docx is None:
        subdoc = template.new_subdoc()
        for text in _paragraphs(document.body):
            _body_paragraph(subdoc.add_paragraph(), text, None)
        return subdoc
    try:
        subdoc = template.new_subdoc(io.BytesIO(body_docx))
    except Exception as exc:  # python-docx and docxcompose raise many kinds
        raise TemplateError(f"The body document cannot be read: {exc}") from exc
    body = subdoc.subdocx.element.body
    for paragraph in list(subdoc.subdocx.paragraphs):
        text = paragraph.text.strip()
        heading_font = _heading_font_of_style(paragraph)
        element = paragraph._p
        if not text and not element.xpath(".//w:drawing"):
            body.remove(element)
            continue
        if element.xpath(".//w:drawing"):
            format_paragraph(
                paragraph, alignment=WD_ALIGN_PARAGRAPH.CENTER, line_pt=LINE_PITCH_PT
            )
            paragraph.paragraph_format.line_spacing_rule = None
            continue
        for run in list(paragraph.runs):
            run._element.getparent().remove(run._element)
        properties = element.pPr
        if properties is not None and properties.numPr is not None:
            properties.remove(properties.numPr)
        paragraph.style = None
        _body_paragraph(paragraph, text, heading_font)
    for table in subdoc.subdocx.tables:
        _restyle_table(table)
    return subdoc


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"\n+", text) if line.strip()]


def attachments_block(template, attachments: Sequence[str]):
    """附件说明: one blank line below the body, 左空二字, numbered when several."""
    subdoc = template.new_subdoc()
    if not attachments:
        return subdoc
    format_paragraph(subdoc.add_paragraph())
    label = "附件："
    for index, name in enumerate(attachments, start=1):
        numbered = f"{index}．{name}" if len(attachments) > 1 else name
        paragraph = subdoc.add_paragraph()
        if index == 1:
            format_paragraph(paragraph, left_pt=2 * CHAR_PITCH_PT)
            text = label + numbered
        else:
            format_paragraph(paragraph, left_pt=5 * CHAR_PITCH_PT)
            text = numbered
        format_run(paragraph.add_run(text), font=FONT["fangsong"], size=SIZE["三号"])
    return subdoc


def keep_last_with_next(subdoc) -> None:
    """Keep the last paragraph of ``subdoc`` on the page of what follows it."""
    paragraphs = subdoc.subdocx.paragraphs
    if paragraphs:
        paragraphs[-1].paragraph_format.keep_with_next = True


def _text_width(text: str) -> float:
    """Width in points of 3号 text on the grid: full-width CJK, half-width digits."""
    return sum(CHAR_PITCH_PT if ord(c) > 0x2E7F else CHAR_PITCH_PT / 2 for c in text)


def signature_block(template, document: OfficialDocument):
    """发文机关署名 and 成文日期 laid out for sealing (§7.3.5.1).

    Two blank lines below the body leave room for the seals, whose tops then
    stay within one line of the body; the date is 右空四字 and each signature
    is centred where its seal will be, the last one on the date.
    """
    subdoc = template.new_subdoc()
    for _ in range(2):
        format_paragraph(subdoc.add_paragraph()).paragraph_format.keep_with_next = True
    date_text = chinese_date(document.date)
    right_indent = 4 * CHAR_PITCH_PT
    last_centre = WIDTH_PT - right_indent - _text_width(date_text) / 2
    # Joint issuance: signatures side by side, far enough apart that neither
    # the names nor the seals touch (§7.3.5.1).
    widths = [_text_width(name) for name in document.signature]
    centres = [last_centre]
    for left, right in zip(reversed(widths[:-1]), reversed(widths[1:]), strict=True):
        pitch = max(SEAL_DIAMETER_PT + _SEAL_GAP_PT, (left + right) / 2 + CHAR_PITCH_PT)
        centres.insert(0, centres[0] - pitch)
    leftmost = centres[0] - max(widths[0], SEAL_DIAMETER_PT) / 2
    if leftmost < 0:
        raise TemplateError(
            f"The {len(widths)} signatures and seals do not fit side by side."
        )
    paragraph = format_paragraph(subdoc.add_paragraph())
    paragraph.paragraph_format.keep_with_next = True
    for centre in centres:
        tab_stop(paragraph, centre, "center")
    text = "".join("\t" + name for name in document.signature)
    format_run(paragraph.add_run(text), font=FONT["fangsong"], size=SIZE["三号"])
    date = format_paragraph(
        subdoc.add_paragraph(),
        alignment=WD_ALIGN_PARAGRAPH.RIGHT,
        right_pt=right_indent,
    )
    format_run(date.add_run(date_text), font=FONT["fangsong"], size=SIZE["三号"])
    return subdoc


def colophon_block(template, document: OfficialDocument):
    """版记 (抄送, 印发机关 and 印发日期) on the bottom edge of the last page (§7.4).

    Text frames at the bottom of the text block: thick first and last lines, a
    thin line between, 4号仿宋, each text 空一字 from the edges. (A floating
    table as wide as the block is laid inline by LibreOffice; a frame is not.)
    """
    subdoc = template.new_subdoc()
    rows = []
    if document.cc:
        rows.append(("抄送：" + "，".join(document.cc) + "。", None))
    rows.append((document.printer, chinese_date(document.print_date) + "印发"))
    one_char = SIZE["四号"]
    top = TEXT_BLOCK_HEIGHT_MM * MM - len(rows) * LINE_PITCH_PT
    for index, (left, right) in enumerate(rows):
        paragraph = format_paragraph(
            subdoc.add_paragraph(), left_pt=one_char, right_pt=one_char
        )
        # One frame per line: LibreOffice keeps a frame only for paragraphs with
        # identical borders, and draws no "between" border.
        set_child(
            paragraph._p.get_or_add_pPr(),
            "w:framePr",
            w=str(round(WIDTH_PT * 20)),
            hAnchor="margin",
            vAnchor="margin",
            x="0",
            y=str(round((top + index * LINE_PITCH_PT) * 20)),
            wrap="notBeside",
            hRule="exact",
            h=str(round(LINE_PITCH_PT * 20)),
        )
        if index == 0:
            border(paragraph, "top", size_pt=1.0, space_pt=0, color="000000")
        last = index == len(rows) - 1
        border(
            paragraph,
            "bottom",
            size_pt=1.0 if last else 0.7,
            space_pt=0,
            color="000000",
        )
        if right is None:
            format_run(
                paragraph.add_run(left),
                font=FONT["fangsong"],
                size=one_char,
                spacing_pt=0,
            )
            continue
        tab_stop(paragraph, WIDTH_PT - one_char, "right")
        format_run(
            paragraph.add_run(f"{left}\t{right}"),
            font=FONT["fangsong"],
            size=one_char,
            spacing_pt=0,
        )
    # A frame is anchored to the paragraph after it; keep that one tiny.
    format_paragraph(subdoc.add_paragraph(), line_pt=1)
    return subdoc
