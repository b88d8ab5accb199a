"""Builds the shipped finance templates (``templates/finance/*.docx``).

The ``.docx`` files are made by this module and then belong to the business:
they can be edited in Word or WPS, keeping the ``{{ … }}`` placeholders and the
signature keywords. Rebuild the factory versions with
``python -m bridge.documents.finance_template_builder``.

The signature block comes from each template's ``.schema.json``: one cell per
signatory, its keyword (``借款人（签字）：``) in one run at 小四 and ``日期：``
below it, and no ink in the 45 mm right of the keyword, 22.5 mm above and
below its middle, where the 42 mm seal or the handwritten signature goes.
Contracts put the signatures on a page of their own, so they are on the last
page whatever the length of the repayment table.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.table import (
    WD_CELL_VERTICAL_ALIGNMENT,
    WD_ROW_HEIGHT_RULE,
    WD_TABLE_ALIGNMENT,
)
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from red_header._docx import format_paragraph, format_run, set_child
from red_header.lean_docx import lean_docx

from .finance_templates import TEMPLATE_FOLDER

__all__ = ["TEMPLATES", "build_template", "main"]

MARGINS_MM = {"top": 25, "bottom": 22, "left": 25, "right": 20}
WIDTH_PT = (210 - MARGINS_MM["left"] - MARGINS_MM["right"]) * 72 / 25.4
BODY_PT, LINE_PT = 12.0, 21.0  # 小四
SMALL_PT = 10.5  # 五号, tables
TITLE_PT = 18.0  # 小二
SONG, FANGSONG, HEI = "宋体", "仿宋_GB2312", "黑体"
"""Names from ``fonts.FONT_ALIASES``: fontconfig maps them to free fonts."""

KEYWORD_LINE_PT = 18.0
SEAL_CLEARANCE_PT = 64.0
"""Empty space above the first keyword: 22.6 mm, more than half a 42 mm seal."""
DATE_BELOW_PT = 52.0
"""Gap between a keyword and its 日期： line: their centres 24.7 mm apart."""
ROW_PT = 132.0
"""Signature rows are 46.6 mm apart: a seal on one keyword never reaches the next."""


class Writer:
    """A template being written: A4, 小四 body in one font, 黑体 headings."""

    def __init__(self, title: str, body_font: str) -> None:
        self.body_font = body_font
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = Mm(MARGINS_MM["top"])
        section.bottom_margin = Mm(MARGINS_MM["bottom"])
        section.left_margin = Mm(MARGINS_MM["left"])
        section.right_margin = Mm(MARGINS_MM["right"])
        section.footer_distance = Mm(10)
        normal = self.document.styles["Normal"]
        normal.font.name = body_font
        normal.font.size = Pt(BODY_PT)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(
            qn("w:eastAsia"), body_font
        )
        self.document.core_properties.title = f"{title}模板"
        self._footer()
        self.line(title, font=HEI, size=TITLE_PT, align="center", after=6)

    def line(
        self,
        text: str = "",
        *,
        font: str | None = None,
        size: float = BODY_PT,
        align: str = "left",
        indent: bool = False,
        line_pt: float = LINE_PT,
        after: float = 0,
        container=None,
    ):
        """One paragraph, a single run (a keyword stays one string in the PDF)."""
        paragraph = (container or self.document).add_paragraph()
        format_paragraph(
            paragraph,
            alignment=getattr(WD_ALIGN_PARAGRAPH, align.upper()),
            line_pt=line_pt,
            first_line_pt=2 * size if indent else 0,
        )
        paragraph.paragraph_format.space_after = Pt(after)
        if text:
            format_run(
                paragraph.add_run(text),
                font=font or self.body_font,
                size=size,
                spacing_pt=0,
            )
        return paragraph

    def heading(self, text: str) -> None:
        self.line(text, font=HEI).paragraph_format.keep_with_next = True

    def clause(self, text: str) -> None:
        self.line(text, indent=True)

    def tag(self, text: str) -> None:
        """A docxtpl paragraph tag (``{%p if guarantor %}``): the line disappears."""
        self.line(text)

    def fields(self, pairs: list[tuple[str, str]]) -> None:
        """``label：value`` lines, as the parties' details are written."""
        for index, (label, value) in enumerate(pairs, 1):
            self.line(f"{label}：{value}", after=6 if index == len(pairs) else 0)

    def page_break(self) -> None:
        self.line().paragraph_format.page_break_before = True

    def schedule(self, terms: str, columns: tuple[str, ...]) -> None:
        """The repayment table of ``terms`` (a scheduled object), one row a month."""
        keys = ("period", "due_date_cn", "payment_text", "principal_text")
        keys += ("interest_text", "balance_text")
        widths = (0.06, 0.22, 0.18, 0.18, 0.18, 0.18)
        table = self._table(4, widths, grid=True)
        _repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, columns, strict=True):
            self._cell(cell, text, font=HEI, align="center")
        self._cell(table.rows[1].cells[0], f"{{%tr for row in {terms}.schedule %}}")
        for index, (cell, key) in enumerate(
            zip(table.rows[2].cells, keys, strict=True)
        ):
            self._cell(
                cell, f"{{{{ row.{key} }}}}", align="right" if index > 1 else "center"
            )
        self._cell(table.rows[3].cells[0], "{%tr endfor %}")
        total = table.add_row().cells
        self._cell(total[0].merge(total[1]), "合计", font=HEI, align="center")
        for cell, value in zip(
            total[2:],
            ("total_payment_text", "amount_text", "total_interest_text", None),
            strict=True,
        ):
            self._cell(
                cell, f"{{{{ {terms}.{value} }}}}" if value else "", align="right"
            )

    def form(self, rows: list[list[tuple[str, int]]]) -> None:
        """A ruled form of four columns; each cell is ``(text, columns spanned)``.

        Section rows (one cell spanning all four) are set in 黑体.
        """
        table = self._table(len(rows), (0.17, 0.33, 0.17, 0.33), grid=True)
        for row, cells in zip(table.rows, rows, strict=True):
            row.height = Pt(21)
            column = 0
            for text, span in cells:
                cell = row.cells[column]
                if span > 1:
                    cell = cell.merge(row.cells[column + span - 1])
                section = span == 4
                self._cell(
                    cell,
                    text,
                    font=HEI if section else None,
                    align="left" if section or column % 2 else "center",
                )
                column += span

    def signatures(self, slots: list[dict], required: set[str]) -> None:
        """Keywords with room for seals: two per row, a single one on the right."""
        self.line(line_pt=SEAL_CLEARANCE_PT)
        if len(slots) == 1:
            table = self._table(1, (0.4, 0.6))
            cells = [None, slots[0]]
        else:
            rows = (len(slots) + 1) // 2
            table = self._table(rows, (0.5, 0.5))
            cells = slots + [None] * (2 * rows - len(slots))
        for row in table.rows[:-1]:
            row.height, row.height_rule = Pt(ROW_PT), WD_ROW_HEIGHT_RULE.AT_LEAST
        for row in table.rows:
            _cant_split(row)
        places = [cell for row in table.rows for cell in row.cells]
        for place, slot in zip(places, cells, strict=True):
            place.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            if slot is not None:
                self._signatory(place, slot, optional=slot["param"] not in required)

    def _signatory(self, cell, slot: dict, *, optional: bool) -> None:
        """Keyword, room, ``日期：``; inside ``{%p if party %}`` when the party may
        be absent, with one more empty line so the cell is never empty."""
        lines = [(slot["keyword"], KEYWORD_LINE_PT), ("", DATE_BELOW_PT)]
        lines.append(("日期：", KEYWORD_LINE_PT))
        if optional:
            lines = [(f"{{%p if {slot['param']} %}}", KEYWORD_LINE_PT), *lines]
            lines += [("{%p endif %}", KEYWORD_LINE_PT), ("", 1.0)]
        for index, (text, height) in enumerate(lines):
            paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
            format_paragraph(
                paragraph, alignment=WD_ALIGN_PARAGRAPH.LEFT, line_pt=height
            )
            if text:
                format_run(
                    paragraph.add_run(text),
                    font=self.body_font,
                    size=BODY_PT,
                    spacing_pt=0,
                )

    def save(self, path: Path) -> None:
        path.write_bytes(lean_docx(self.document))

    def _table(self, rows: int, widths: tuple[float, ...], *, grid: bool = False):
        table = self.document.add_table(rows=rows, cols=len(widths))
        if grid:
            table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        margins = set_child(table._tbl.tblPr, "w:tblCellMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), "57" if grid else "0")  # 1 mm, or none
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        for column, share in zip(table.columns, widths, strict=True):
            column.width = Pt(WIDTH_PT * share)  # the grid LibreOffice lays out by
            for cell in column.cells:
                cell.width = Pt(WIDTH_PT * share)
        return table

    def _cell(
        self,
        cell,
        text: str,
        *,
        font: str | None = None,
        size: float = SMALL_PT,
        align: str = "center",
    ) -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        self.line(
            text, font=font, size=size, align=align, line_pt=size * 1.5, container=cell
        )
        first = cell.paragraphs[0]
        if not first.text and len(cell.paragraphs) > 1:
            first._p.getparent().remove(first._p)

    def _footer(self) -> None:
        """``第 n 页 共 m 页`` centred at the page foot."""
        paragraph = self.document.sections[0].footer.paragraphs[0]
        format_paragraph(paragraph, alignment=WD_ALIGN_PARAGRAPH.CENTER, line_pt=14)
        for text in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
            if text in ("PAGE", "NUMPAGES"):
                _field(paragraph, text, self.body_font)
            else:
                format_run(
                    paragraph.add_run(text), font=self.body_font, size=9, spacing_pt=0
                )


def _field(paragraph, instruction: str, font: str) -> None:
    for kind in ("begin", None, "end"):
        run = format_run(paragraph.add_run(), font=font, size=9, spacing_pt=0)
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _cant_split(row) -> None:
    """Keep a row on one page; ``cantSplit`` comes first in ``trPr`` (schema order)."""
    row._tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))


def _repeat_header(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _person(writer: Writer, label: str, key: str) -> None:
    writer.fields(
        [
            (label, f"{{{{ {key}.name }}}}"),
            ("居民身份证号码", f"{{{{ {key}.id_number }}}}"),
            ("手机号码", f"{{{{ {key}.mobile }}}}"),
            ("住址", f"{{{{ {key}.address }}}}"),
        ]
    )


def _company(writer: Writer, label: str, key: str) -> None:
    writer.fields(
        [
            (label, f"{{{{ {key}.name }}}}"),
            ("统一社会信用代码", f"{{{{ {key}.credit_code }}}}"),
            ("法定代表人", f"{{{{ {key}.legal_representative }}}}"),
            ("住所", f"{{{{ {key}.address }}}}"),
        ]
    )


def _vehicle(writer: Writer) -> None:
    writer.clause(
        "车辆型号：{{ vehicle.model }}；车架号（VIN）：{{ vehicle.vin }}"
        "{% if vehicle.engine_number %}；发动机号：{{ vehicle.engine_number }}"
        "{% endif %}；车辆价格：{{ vehicle.price_words }}"
        "（小写：¥{{ vehicle.price_text }}）。"
    )


def _signature_page(writer: Writer, title: str) -> None:
    writer.line("（以下无正文）", align="center")
    writer.page_break()
    writer.line(
        f"（本页无正文，为《{title}》（合同编号：{{{{ contract_number }}}}）之签署页）",
        align="center",
    )


def _credit_authorization(writer: Writer) -> None:
    writer.line("致：{{ lender.name }}", after=6)
    writer.clause(
        "本人{{ borrower.name }}（居民身份证号码：{{ borrower.id_number }}，"
        "手机号码：{{ borrower.mobile }}）因向贵司申请汽车金融业务"
        "{% if vehicle %}（拟购车辆：{{ vehicle.model }}，车架号：{{ vehicle.vin }}"
        "{% if amount %}，申请金额：{{ amount_words }}（小写：¥{{ amount_text }}）"
        "{% endif %}）{% endif %}，现不可撤销地授权贵司："
    )
    for text in (
        "一、向中国人民银行金融信用信息基础数据库及其他依法设立的征信机构查询、"
        "打印、保存本人的信用报告及其他信用信息；",
        "二、依法向上述数据库及征信机构报送本人的基本信息、信贷交易信息及其他"
        "相关信息，包括本人未按约定履行义务时产生的不良信息；",
        "三、将查询获得的信息用于下列用途：（一）审核本人的贷款、融资租赁申请；"
        "（二）审核本人作为保证人、共同借款人或共同承租人的资格；（三）对已发放的"
        "贷款或已起租的租赁业务进行贷后、租后管理；（四）处理本人的征信异议。",
        "四、授权期限：自本授权书签署之日起至本人在贵司办理的上述业务全部结清之日止；"
        "贵司未批准本人申请的，至本授权书签署之日起满一年之日止。",
        "五、本人知悉：信用报告中的不良信息可能对本人的经济活动产生不利影响；"
        "贵司报送本人不良信息前，将依照《征信业管理条例》的规定事先告知本人。",
        "六、本人已仔细阅读本授权书全部内容，完全知悉并理解上述授权的含义及其法律"
        "后果。本授权书以电子签名方式签署，与本人手写签名具有同等法律效力。",
    ):
        writer.clause(text)
    writer.clause("签署日期：{{ signing_date_cn }}")


def _loan_application(writer: Writer) -> None:
    writer.line(
        "申请编号：{{ application_number }}　　申请日期：{{ application_date_cn }}",
        align="right",
        after=6,
    )
    writer.form(
        [
            [("一、申请人信息", 4)],
            [("姓名", 1), ("{{ borrower.name }}", 1)]
            + [("身份证号码", 1), ("{{ borrower.id_number }}", 1)],
            [("手机号码", 1), ("{{ borrower.mobile }}", 1)]
            + [("月收入", 1), ("¥{{ borrower.monthly_income_text }}", 1)],
            [("职业/经营", 1), ("{{ borrower.occupation }}", 3)],
            [("住址", 1), ("{{ borrower.address }}", 3)],
            [("二、车辆信息", 4)],
            [("车辆型号", 1), ("{{ vehicle.model }}", 3)],
            [("车架号", 1), ("{{ vehicle.vin }}", 1)]
            + [("车辆价格", 1), ("¥{{ vehicle.price_text }}", 1)],
            [("经销商", 1), ("{{ dealer.name }}", 3)],
            [("三、贷款申请", 4)],
            [
                ("申请金额", 1),
                ("{{ loan.amount_words }}（¥{{ loan.amount_text }}）", 3),
            ],
            [("首付款", 1), ("¥{{ loan.down_payment_text }}", 1)]
            + [("贷款期限", 1), ("{{ loan.term_months }}个月", 1)],
            [("年利率", 1), ("{{ loan.annual_rate }}%", 1)]
            + [("还款方式", 1), ("{{ loan.repayment_method_text }}", 1)],
            [("贷款人", 1), ("{{ lender.name }}", 3)],
        ]
    )
    writer.line(line_pt=10)
    writer.heading("四、申请人声明")
    for text in (
        "1. 本人向{{ lender.name }}申请上述购车贷款，所购车辆用于本人合法经营或"
        "生活，贷款资金不用于购买车辆以外的任何用途。",
        "2. 本人保证本申请表所填内容及所提供的身份、收入、婚姻、财产等资料真实、"
        "准确、完整，如有虚假，愿承担由此产生的全部法律责任。",
        "3. 本人同意贷款人为审核本申请向征信机构查询本人信用报告，并核实本人"
        "所提供的资料；本申请无论是否获得批准，所提交资料均不予退还。",
        "4. 本申请表不构成贷款人的放款承诺，贷款金额、期限、利率以双方签订的"
        "《借款合同》为准。",
    ):
        writer.clause(text)


def _loan_contract(writer: Writer) -> None:
    writer.line("合同编号：{{ contract_number }}", align="right", after=6)
    _person(writer, "借款人", "borrower")
    writer.tag("{%p if guarantor %}")
    _person(writer, "保证人", "guarantor")
    writer.tag("{%p endif %}")
    _company(writer, "经销商", "dealer")
    _company(writer, "贷款人", "lender")
    writer.line(after=6)
    writer.clause(
        "鉴于借款人拟向经销商购买车辆，并向贷款人申请汽车贷款用于支付购车款；"
        "经销商同意协助贷款人办理贷款发放、车辆抵押登记及贷后管理"
        "{% if guarantor %}；保证人同意为借款人在本合同项下的全部债务提供连带"
        "责任保证{% endif %}。各方根据《中华人民共和国民法典》《汽车贷款管理办法》"
        "等法律法规，经平等协商，订立本合同，以资共同遵守。"
    )
    writer.heading("第一条　借款金额与用途")
    writer.clause(
        "1.1 借款金额：{{ loan.amount_words }}（小写：¥{{ loan.amount_text }}）。"
    )
    writer.clause("1.2 借款用途：专项用于借款人向经销商购买下列车辆，不得挪作他用：")
    _vehicle(writer)
    writer.clause(
        "1.3 贷款人采用受托支付方式，将借款资金直接划付至经销商账户，"
        "划付之日即为贷款发放日，视为贷款人已向借款人足额发放借款。"
    )
    writer.heading("第二条　借款期限")
    writer.clause(
        "借款期限为{{ loan.term_months }}个月，自贷款发放之日起计算。首期还款日为"
        "{{ loan.first_due_date_cn }}，以后每月同日还款；当月无该日的，为当月最后一日。"
    )
    writer.heading("第三条　利率与利息")
    writer.clause(
        "3.1 本合同项下借款年利率为{{ loan.annual_rate }}%（单利），月利率为年利率"
        "除以12，在借款期限内固定不变。"
    )
    writer.clause("3.2 利息自贷款发放之日起按借款本金余额计收，按月结息。")
    writer.heading("第四条　还款")
    writer.clause(
        "4.1 还款方式：{{ loan.repayment_method_text }}，共{{ loan.term_months }}期。"
        "借款本息合计{{ loan.total_payment_words }}"
        "（小写：¥{{ loan.total_payment_text }}），"
        "其中利息¥{{ loan.total_interest_text }}，每期应还金额见下表（单位：元）："
    )
    writer.schedule(
        "loan", ("期数", "还款日", "应还金额", "其中本金", "其中利息", "剩余本金")
    )
    writer.clause(
        "4.2 借款人应于每期还款日前将当期应还款项足额存入以下还款账户，并授权贷款人"
        "从该账户扣收：开户银行{{ loan.repayment_account.bank }}，账号"
        "{{ loan.repayment_account.account_number }}，户名{{ borrower.name }}。"
    )
    writer.clause(
        "4.3 借款人提前还款的，应提前三十日书面申请并经贷款人同意；提前偿还的本金"
        "自还款之日起不再计息，已计收的利息不予退还。"
    )
    writer.heading("第五条　担保")
    writer.clause(
        "5.1 借款人以所购车辆为本合同项下全部债务提供抵押担保，并应于贷款发放后"
        "三十日内会同经销商办理抵押登记，抵押权人为贷款人。抵押登记办妥前，"
        "经销商对借款人在本合同项下的债务承担阶段性连带责任保证。"
    )
    writer.tag("{%p if guarantor %}")
    writer.clause(
        "5.2 保证人自愿为借款人在本合同项下的全部债务提供连带责任保证。保证范围包括"
        "借款本金、利息、罚息、复利、违约金、损害赔偿金以及贷款人实现债权的费用"
        "（包括但不限于诉讼费、仲裁费、律师费、保全费、公告费、执行费等）。保证期间"
        "为本合同约定的债务履行期限届满之日起三年。"
    )
    writer.tag("{%p endif %}")
    writer.heading("第六条　借款人的声明与义务")
    for text in (
        "6.1 借款人提供的身份证明、收入证明及其他资料真实、准确、完整。",
        "6.2 借款人应按期足额还款；未经贷款人书面同意，不得转让、出租、出借、质押"
        "抵押车辆或以其他方式处分抵押车辆。",
        "6.3 借款人应为抵押车辆投保机动车交通事故责任强制保险、车辆损失险及保险金额"
        "不低于人民币壹佰万元的第三者责任险，并指定贷款人为第一受益人。",
        "6.4 借款人的住所、通讯方式、工作单位等发生变化的，应于五日内书面通知贷款人。",
    ):
        writer.clause(text)
    writer.heading("第七条　经销商的责任")
    for text in (
        "7.1 经销商保证所售车辆来源合法、手续齐全，并按约定向借款人交付车辆及"
        "合格证、购车发票等资料。",
        "7.2 经销商协助借款人办理车辆注册登记和抵押登记，并在抵押登记办妥前代为"
        "保管机动车登记证书。",
        "7.3 借款人逾期还款的，经销商协助贷款人催收，并协助贷款人取回、处置抵押车辆。",
    ):
        writer.clause(text)
    writer.heading("第八条　违约责任")
    for text in (
        "8.1 借款人未按期足额还款的，贷款人对逾期本金自逾期之日起按本合同利率上浮"
        "百分之五十计收罚息，对未按时支付的利息按罚息利率计收复利。",
        "8.2 借款人有下列情形之一的，贷款人有权宣布本合同项下借款全部提前到期，要求"
        "借款人立即清偿全部本息，并有权处置抵押车辆"
        "{% if guarantor %}、要求保证人承担保证责任{% endif %}："
        "（一）连续三期或累计六期未按时足额还款；（二）提供虚假资料或隐瞒重要事实；"
        "（三）擅自处分抵押车辆，或车辆灭失、严重毁损而未按贷款人要求提供新的担保；"
        "（四）涉及重大诉讼或主要财产被查封、扣押，可能影响其偿债能力。",
        "8.3 经销商违反本合同约定的，应赔偿由此给贷款人造成的全部损失。",
    ):
        writer.clause(text)
    writer.heading("第九条　争议解决")
    writer.clause(
        "因本合同引起的或与本合同有关的争议，各方应协商解决；协商不成的，任何一方"
        "均可向贷款人住所地有管辖权的人民法院提起诉讼。"
    )
    writer.heading("第十条　其他")
    for text in (
        "10.1 各方同意以电子签名方式订立本合同。依照《中华人民共和国电子签名法》，"
        "各方的可靠电子签名、电子印章与手写签名或者盖章具有同等的法律效力。",
        "10.2 本合同自各方签署（签字或盖章）之日起生效，至本合同项下全部债务清偿"
        "完毕之日终止。",
        "10.3 各方在本合同中载明的手机号码和地址为各自的送达地址。",
        "10.4 本合同于{{ signing_date_cn }}在{{ signing_place }}签订。",
    ):
        writer.clause(text)
    _signature_page(writer, "借款合同")


def _lease_contract(writer: Writer) -> None:
    writer.line("合同编号：{{ contract_number }}", align="right", after=6)
    _company(writer, "出租人", "lessor")
    _person(writer, "承租人", "lessee")
    _company(writer, "经销商（出卖人）", "dealer")
    writer.line(after=6)
    writer.clause(
        "承租人自主选定经销商销售的下列车辆，要求出租人购买后出租给承租人使用；出租人"
        "同意按本合同约定向经销商购买该车辆并出租给承租人；经销商同意向出租人出售"
        "该车辆并直接交付承租人。各方根据《中华人民共和国民法典》等法律法规，经平等"
        "协商，订立本融资租赁合同（直租）。"
    )
    writer.heading("第一条　租赁物")
    _vehicle(writer)
    writer.clause(
        "租赁期内租赁物的所有权属于出租人。租赁物可登记在承租人名下，承租人应配合"
        "将其抵押给出租人，抵押期间至全部租金及其他款项付清之日止。"
    )
    writer.heading("第二条　租赁期限")
    writer.clause(
        "租赁期限为{{ lease.term_months }}个月，自起租日起算；起租日为经销商向承租人"
        "交付租赁物之日。首期租金支付日为{{ lease.first_due_date_cn }}，以后每月同日"
        "支付；当月无该日的，为当月最后一日。"
    )
    writer.heading("第三条　租金")
    writer.clause(
        "3.1 融资本金为{{ lease.amount_words }}（小写：¥{{ lease.amount_text }}），"
        "租赁年利率为{{ lease.annual_rate }}%，租金按{{ lease.repayment_method_text }}"
        "方式计算，共{{ lease.term_months }}期。租金总额为"
        "{{ lease.total_payment_words }}（小写：¥{{ lease.total_payment_text }}），"
        "其中租息¥{{ lease.total_interest_text }}。"
    )
    writer.clause("3.2 租金支付表（单位：元）：")
    writer.schedule(
        "lease", ("期数", "支付日", "租金", "其中本金", "其中租息", "剩余本金")
    )
    writer.clause(
        "3.3 承租人应于每期租金支付日前将当期租金足额存入以下账户，并授权出租人扣收："
        "开户银行{{ lease.repayment_account.bank }}，账号"
        "{{ lease.repayment_account.account_number }}，户名{{ lessee.name }}。"
    )
    writer.clause(
        "3.4 承租人应于本合同签订之日向出租人支付租赁保证金{{ lease.deposit_words }}"
        "（小写：¥{{ lease.deposit_text }}）。保证金不计利息，承租人履行完毕本合同"
        "全部义务后，出租人予以退还或抵作最后一期租金。"
    )
    writer.heading("第四条　租赁物的购买与交付")
    writer.clause(
        "4.1 出租人按承租人的选择向经销商购买租赁物，购车价款由出租人直接支付给经销商。"
        "租赁物由经销商直接交付承租人，承租人验收合格后签署交付确认书。"
    )
    writer.clause(
        "4.2 租赁物的质量、性能及售后服务由经销商及生产厂家负责，承租人可直接向其"
        "主张权利，但不得以此为由拒付或迟付租金。"
    )
    writer.heading("第五条　使用、维修与保险")
    writer.clause(
        "承租人应合法、合理使用租赁物，自行承担其维修、保养、年检及运营中的一切费用和"
        "责任；应为租赁物投保交强险、车辆损失险及保险金额不低于人民币壹佰万元的第三者"
        "责任险，并指定出租人为第一受益人。未经出租人书面同意，不得转租、转让、"
        "质押或以其他方式处分租赁物。"
    )
    writer.heading("第六条　租赁期满")
    writer.clause(
        "租赁期满，承租人付清全部租金及其他应付款项，并支付留购价款"
        "{{ lease.retention_price_words }}"
        "（小写：¥{{ lease.retention_price_text }}）后，"
        "租赁物的所有权转移至承租人，出租人配合办理解除抵押手续。"
    )
    writer.heading("第七条　经销商的责任")
    writer.clause(
        "经销商保证租赁物来源合法、质量合格、手续齐全，按约定交付租赁物及合格证、"
        "发票等资料；承租人违约时，经销商协助出租人催收租金、取回和处置租赁物。"
    )
    writer.heading("第八条　违约责任")
    for text in (
        "8.1 承租人逾期支付租金的，应按逾期金额每日万分之五向出租人支付违约金。",
        "8.2 承租人连续两期或累计三期未按时足额支付租金，或擅自处分租赁物的，出租人"
        "有权要求承租人支付全部到期及未到期租金；也有权解除本合同、收回租赁物，"
        "并要求承租人赔偿损失，损失以全部未付租金及其他应付款项与收回的租赁物价值"
        "之差为限；收回的租赁物价值超过承租人欠付款项的部分，应当返还承租人。",
        "8.3 经销商未按约定交付租赁物或所交付租赁物不符合约定的，应赔偿由此给出租人"
        "和承租人造成的损失。",
    ):
        writer.clause(text)
    writer.heading("第九条　争议解决")
    writer.clause(
        "因本合同引起的或与本合同有关的争议，各方应协商解决；协商不成的，任何一方"
        "均可向出租人住所地有管辖权的人民法院提起诉讼。"
    )
    writer.heading("第十条　其他")
    for text in (
        "10.1 各方同意以电子签名方式订立本合同。依照《中华人民共和国电子签名法》，"
        "各方的可靠电子签名、电子印章与手写签名或者盖章具有同等的法律效力。",
        "10.2 本合同自各方签署（签字或盖章）之日起生效。",
        "10.3 本合同于{{ signing_date_cn }}在{{ signing_place }}签订。",
    ):
        writer.clause(text)
    _signature_page(writer, "融资租赁合同")


def _guarantee_letter(writer: Writer) -> None:
    writer.line("致：{{ lender.name }}", after=6)
    writer.clause(
        "鉴于{{ borrower.name }}（居民身份证号码：{{ borrower.id_number }}，以下简称"
        "“借款人”）与贵司签订编号为{{ main_contract.contract_number }}的《借款合同》"
        "（以下简称“主合同”），向贵司借款{{ main_contract.amount_words }}（小写：¥"
        "{{ main_contract.amount_text }}），"
        "借款期限{{ main_contract.term_months }}个月，"
        "用于购买{{ vehicle.model }}一辆（车架号：{{ vehicle.vin }}）。本人"
        "{{ guarantor.name }}（居民身份证号码：{{ guarantor.id_number }}，手机号码："
        "{{ guarantor.mobile }}）自愿为借款人在主合同项下的债务向贵司提供保证，"
        "并不可撤销地承诺如下："
    )
    for text in (
        "一、保证方式：连带责任保证。借款人未按主合同约定履行债务的，贵司有权直接"
        "要求本人在保证范围内承担保证责任。",
        "二、保证范围：主合同项下的借款本金及利息、罚息、复利、违约金、损害赔偿金和"
        "贵司实现债权的费用（包括但不限于诉讼费、律师费、保全费、公告费、执行费）。",
        "三、保证期间：自主合同约定的债务履行期限届满之日起三年。贵司依主合同宣布"
        "债务提前到期的，保证期间自提前到期之日起计算。",
        "四、贵司与借款人协商变更主合同的，除加重借款人债务外，无需征得本人同意，"
        "本人仍在原保证范围内承担保证责任。主合同项下同时存在借款人提供的抵押担保的，"
        "贵司有权选择先要求本人承担保证责任。",
        "五、本人保证所提供的资料真实、有效，本人的联系方式、住址发生变化的，"
        "将于五日内书面通知贵司。",
        "六、因本担保函引起的争议，由贵司住所地有管辖权的人民法院管辖。",
        "七、本担保函以电子签名方式签署，自本人签署之日起生效。本人已认真阅读并充分"
        "理解本担保函的全部条款。",
    ):
        writer.clause(text)
    writer.clause("出具日期：{{ signing_date_cn }}")


TEMPLATES: dict[str, tuple[str, Callable[[Writer], None]]] = {
    "credit_authorization": (FANGSONG, _credit_authorization),
    "loan_application": (SONG, _loan_application),
    "loan_contract": (SONG, _loan_contract),
    "lease_contract": (SONG, _lease_contract),
    "guarantee_letter": (FANGSONG, _guarantee_letter),
}
"""Template name → body font and the writer of its text."""


def build_template(name: str, folder: Path = TEMPLATE_FOLDER) -> Writer:
    """The template ``name``, its signature block from ``<name>.schema.json``."""
    schema = json.loads((folder / f"{name}.schema.json").read_text(encoding="utf-8"))
    meta = schema["x-sealbridge"]
    font, write = TEMPLATES[name]
    writer = Writer(meta["title"], font)
    write(writer)
    writer.signatures(meta["signatories"], set(schema.get("required", ())))
    return writer


def main(folder: str | None = None) -> None:
    target = Path(folder) if folder else TEMPLATE_FOLDER
    for name in TEMPLATES:
        path = target / f"{name}.docx"
        build_template(name, target).save(path)
        print(path)


if __name__ == "__main__":
    main(*sys.argv[1:])
