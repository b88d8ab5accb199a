"""The invalidation statement (作废声明) that makes a completed contract void."""

from __future__ import annotations

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from red_header._docx import format_paragraph, format_run
from red_header.lean_docx import lean_docx
from red_header.metadata import chinese_date
from red_header.standard import FONT, SIZE

from ..models import Contract, utcnow

__all__ = ["INVALIDATION_KEYWORD", "invalidation_docx"]

INVALIDATION_KEYWORD = "声明方（盖章）："


def invalidation_docx(contract: Contract, reason: str) -> bytes:
    """A one-page statement naming the contract, its parties and the reason."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(25))

    def line(
        text: str,
        *,
        font=FONT["fangsong"],
        size=SIZE["三号"],
        alignment=None,
        indent: bool = False,
    ) -> None:
        paragraph = format_paragraph(
            document.add_paragraph(),
            alignment=alignment,
            first_line_pt=32 if indent else 0,
        )
        format_run(paragraph.add_run(text), font=font, size=size)

    line(
        "作废声明",
        font=FONT["heiti"],
        size=SIZE["二号"],
        alignment=WD_ALIGN_PARAGRAPH.CENTER,
    )
    line("")
    parties = "、".join(s.name for s in contract.signatories)
    line(
        f"《{contract.subject}》（合同编号：{contract.id}，业务编号：{contract.biz_id}）"
        f"已由{parties}签署完成。",
        indent=True,
    )
    line(
        f"因{reason}，该合同自本声明签署之日起作废，各方据此不再享有和承担该合同项下的"
        "权利和义务。",
        indent=True,
    )
    line("")
    line(INVALIDATION_KEYWORD, indent=True)
    line("")
    line("")
    line(f"日期：{chinese_date(utcnow().date())}", indent=True)
    return lean_docx(document)
