"""Builds the shipped red-header templates (文件, 上行文, 函, 纪要).

The ``.docx`` files under ``templates/red_header/`` are made by this module and
then belong to the document office: they can be edited in Word or WPS, keeping
the ``{{ … }}`` placeholders. Rebuild the factory versions with
``python -m red_header.template_builder``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ._docx import border, format_paragraph, format_run, tab_stop
from .lean_docx import lean_docx
from .standard import (
    CHAR_PITCH_PT,
    FONT,
    LINE_PITCH_PT,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    MARK_TOP_BELOW_BLOCK_MM,
    MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    SIZE,
    TEXT_BLOCK_WIDTH_MM,
)
from .templates import TemplateOptions

__all__ = ["TEMPLATES", "build_template", "main"]

WIDTH_PT = TEXT_BLOCK_WIDTH_MM * MM
FOOTER_DISTANCE_MM = 21.5
"""Page bottom to the footer's last line: puts the page number 7 mm below the block."""
MARK_SPACER_PT = MARK_TOP_BELOW_BLOCK_MM * MM - 3 * LINE_PITCH_PT
"""Room above the mark after the three 份号/密级/紧急程度 lines, which are always
there (empty when unused) so the mark never moves."""


@dataclass(frozen=True)
class Variant:
    name: str
    options: TemplateOptions
    number_line: str
    """``centred`` number, or ``signer`` (number left, 签发人 right)."""


TEMPLATES = (
    Variant("文件", TemplateOptions("文件", sealed=True, kind="下行文"), "centred"),
    Variant("上行文", TemplateOptions("文件", sealed=True, kind="上行文"), "signer"),
    Variant("函", TemplateOptions("", sealed=True, kind="函"), "centred"),
    Variant("纪要", TemplateOptions("纪要", sealed=False, kind="纪要"), "centred"),
)


def _page_number_field(paragraph) -> None:
    """``— n —`` with a PAGE field (python-docx has no field API)."""

    def text(value: str) -> None:
        format_run(
            paragraph.add_run(value),
            font=FONT["songti"],
            size=SIZE["四号"],
            spacing_pt=0,
        )

    text("— ")
    for kind, instruction in (("begin", None), (None, " PAGE "), ("end", None)):
        run = paragraph.add_run()
        format_run(run, font=FONT["songti"], size=SIZE["四号"], spacing_pt=0)
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    text(" —")


def _footers(document) -> None:
    """Page numbers on the outer side: odd pages right, even pages left, 空一字."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    odd = section.footer.paragraphs[0]
    format_paragraph(
        odd,
        alignment=WD_ALIGN_PARAGRAPH.RIGHT,
        line_pt=SIZE["四号"] * 1.2,
        right_pt=SIZE["四号"],
    )
    _page_number_field(odd)
    even = section.even_page_footer.paragraphs[0]
    format_paragraph(
        even,
        alignment=WD_ALIGN_PARAGRAPH.LEFT,
        line_pt=SIZE["四号"] * 1.2,
        left_pt=SIZE["四号"],
    )
    _page_number_field(even)


def _page(document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    normal = document.styles["Normal"]
    normal.font.name = FONT["fangsong"]
    normal.font.size = Pt(SIZE["三号"])
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(
        qn("w:eastAsia"), FONT["fangsong"]
    )
    normal.paragraph_format.space_after = Pt(0)


def _line(
    document,
    text: str = "",
    *,
    font: str = FONT["fangsong"],
    size=SIZE["三号"],
    alignment=None,
    bold: bool = False,
    **indents,
):
    paragraph = format_paragraph(
        document.add_paragraph(), alignment=alignment, **indents
    )
    if text:
        format_run(paragraph.add_run(text), font=font, size=size, bold=bold)
    return paragraph


def _number_line(document, variant: Variant) -> None:
    if variant.number_line == "signer":
        # 上行文: number 居左空一字, 签发人 居右空一字 on one line (§7.2.5-6).
        # Tabs rather than indents: the separator border spans the indents.
        paragraph = _line(document)
        tab_stop(paragraph, CHAR_PITCH_PT, "left")
        tab_stop(paragraph, WIDTH_PT - CHAR_PITCH_PT, "right")
        format_run(
            paragraph.add_run("\t{{ doc_number }}\t签发人："),
            font=FONT["fangsong"],
            size=SIZE["三号"],
        )
        format_run(
            paragraph.add_run("{{ signers_text }}"),
            font=FONT["kaiti"],
            size=SIZE["三号"],
        )
    else:
        paragraph = _line(
            document, "{{ doc_number }}", alignment=WD_ALIGN_PARAGRAPH.CENTER
        )
    # The separator: red, 156 mm, 4 mm below the number (§7.2.7).
    border(paragraph, "bottom", size_pt=1.5, space_pt=5)


def build_template(variant: Variant) -> Document:
    """A fresh ``.docx`` template of ``variant``."""
    document = Document()
    _page(document)
    _footers(document)
    document.core_properties.title = f"红头文件模板：{variant.name}"
    document.core_properties.keywords = variant.options.to_keywords()
    for name in ("copy_number", "secrecy", "urgency"):
        _line(document, f"{{{{ {name} }}}}", font=FONT["heiti"])
    _line(document, line_pt=MARK_SPACER_PT)
    _line(document, "{{p mark }}")
    _line(document)
    _line(document)
    _number_line(document, variant)
    _line(document)
    _line(document)
    _line(
        document,
        "{{ title }}",
        font=FONT["xiaobiaosong"],
        size=SIZE["二号"],
        alignment=WD_ALIGN_PARAGRAPH.CENTER,
        bold=True,
    )
    _line(document)
    _line(document, "{%p if recipients_text %}")
    _line(document, "{{ recipients_text }}")
    _line(document, "{%p endif %}")
    _line(document, "{{p body }}")
    _line(document, "{{p attachments }}")
    if variant.options.sealed:
        _line(document, "{{p signature }}")
    _line(document, "{{p colophon }}")
    return document


def main(folder: str | None = None) -> None:
    target = Path(
        folder or Path(__file__).resolve().parents[1] / "templates" / "red_header"
    )
    target.mkdir(parents=True, exist_ok=True)
    for variant in TEMPLATES:
        path = target / f"{variant.name}.docx"
        path.write_bytes(lean_docx(build_template(variant)))
        print(path)


if __name__ == "__main__":
    main(*sys.argv[1:])
