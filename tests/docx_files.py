"""Word documents for the conversion tests and benchmark (python-docx)."""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

PARAGRAPH = (
    "为进一步规范汽车金融业务，防范信贷风险，保障借款人合法权益，"
    "根据《汽车贷款管理办法》及有关监管要求，结合本公司经销商网络实际，"
    "现就重型卡车消费贷款和融资租赁业务的受理、审查、审批、放款、"
    "贷后管理及档案管理等事项通知如下，请各经销商认真遵照执行。"
)


def _run(paragraph, text: str, font: str, size: float, *, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def chinese_docx(pages: int = 1, *, body_font: str = "仿宋_GB2312") -> bytes:
    """An official-notice-like document of ``pages`` A4 pages.

    Title in 方正小标宋简体, headings in 黑体 and 楷体_GB2312, body in
    ``body_font`` at 三号 (16 pt), and a table of loan terms in 宋体.
    """
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    title = document.add_paragraph()
    _run(title, "关于印发汽车金融业务管理办法的通知", "方正小标宋简体", 22)
    _run(document.add_paragraph(), "重汽发〔2026〕15号", "仿宋_GB2312", 16)
    for page in range(pages):
        if page:
            document.add_page_break()
        _run(
            document.add_paragraph(),
            f"{'一二三四五六七八九十'[page % 10]}、总体要求",
            "黑体",
            16,
        )
        _run(document.add_paragraph(), f"（{page + 1}）业务范围", "楷体_GB2312", 16)
        for _ in range(2 if page == 0 else 3):
            _run(document.add_paragraph(), PARAGRAPH, body_font, 16)
        if page == 0:
            table = document.add_table(rows=4, cols=3)
            table.style = "Table Grid"
            rows = [("产品", "期限", "首付比例"), ("消费贷款", "36个月", "20%")]
            rows += [("融资租赁", "48个月", "15%"), ("经营贷款", "24个月", "30%")]
            for cells, values in zip(table.rows, rows, strict=True):
                for cell, value in zip(cells.cells, values, strict=True):
                    _run(cell.paragraphs[0], value, "宋体", 12)
    _run(document.add_paragraph(), "中国重型汽车集团有限公司", "仿宋_GB2312", 16)
    _run(document.add_paragraph(), "2026年3月18日", "仿宋_GB2312", 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def with_member(docx: bytes, name: str, data: bytes, **options) -> bytes:
    """``docx`` with one more zip member (macros, traversal names, bombs)."""
    buffer = io.BytesIO(docx)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, **options) as package:
        package.writestr(name, data)
    return buffer.getvalue()
