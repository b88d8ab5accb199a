"""The evidence report (出证报告) as a Word document, in Chinese, for conversion.

Events are shown as recorded: their type, who, when, from which address and
device, and their data with Chinese labels where known — identity checks and
SMS-code confirmations included — with any ID or mobile number masked. Hashes
stand on lines of their own in a monospaced font, so the PDF's text carries
them whole (``verify-package`` finds the chain head there).
"""

from __future__ import annotations

import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from red_header._docx import format_paragraph, format_run
from red_header.lean_docx import lean_docx
from red_header.standard import FONT

from ..domain.validators import mask_id_number
from .labels import CATEGORIES, EVENT_LABELS, INDICATIONS, STATUSES, china_time

__all__ = ["CHAIN_HEAD_LABEL", "ISSUER_KEYWORD", "mask_numbers", "report_docx"]

ISSUER_KEYWORD = "出证机构（盖章）："
CHAIN_HEAD_LABEL = "审计哈希链头（最后一个事件的哈希）："

_MONO = "DejaVu Sans Mono"
_BODY, _SMALL = 10.5, 8.5

_DATA_LABELS = {
    "signatory": "签署方编号",
    "role": "角色",
    "name": "姓名",
    "method": "方式",
    "result": "结果",
    "reason": "原因",
    "idNumber": "证件号码",
    "providerRef": "认证流水号",
    "certificateSerial": "事件证书序列号",
    "handwritingSha256": "手写签名SHA-256",
    "bizId": "业务编号",
    "category": "类别",
    "signatories": "签署方",
}
_METHODS = {"sms-otp": "短信验证码"}
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_numbers(text: str) -> str:
    """Mask every ID number and mobile number in ``text``."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], text)


def _method(event: dict) -> str:
    method = event["data"].get("method") or "—"
    return _METHODS.get(method, method)


def _data_text(data: dict) -> str:
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            value = "、".join(str(item) for item in value)
        value = _METHODS.get(value, value) if isinstance(value, str) else value
        parts.append(f"{_DATA_LABELS.get(key, key)}：{value}")
    return mask_numbers("；".join(parts)) or "—"


class _Writer:
    """A4 Word document with headings, lines, monospaced hashes and grid tables."""

    def __init__(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
            setattr(section, side, Mm(20))

    def line(self, text: str, *, size=_BODY, font=None, bold=False, center=False):
        paragraph = format_paragraph(
            self.document.add_paragraph(),
            alignment=WD_ALIGN_PARAGRAPH.CENTER if center else None,
            line_pt=size * 1.6,
        )
        format_run(
            paragraph.add_run(text),
            font=font or FONT["songti"],
            size=size,
            bold=bold,
            spacing_pt=0,
        )

    def heading(self, text: str) -> None:
        self.line("")
        self.line(text, size=12, font=FONT["heiti"])

    def digest(self, value: str) -> None:
        self.line(value, size=_SMALL, font=_MONO)

    def table(
        self, header: list[str], rows: list[list[str]], widths_mm: tuple = ()
    ) -> None:
        table = self.document.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.autofit = not widths_mm
        for column, width in zip(table.columns, widths_mm, strict=False):
            column.width = Mm(width)
            for cell in column.cells:
                cell.width = Mm(width)
        for r, cells in enumerate([header, *rows]):
            for c, text in enumerate(cells):
                paragraph = format_paragraph(
                    table.cell(r, c).paragraphs[0], line_pt=_SMALL * 1.5
                )
                format_run(
                    paragraph.add_run(text),
                    font=FONT["heiti"] if r == 0 else FONT["songti"],
                    size=_SMALL,
                    spacing_pt=0,
                )

    def pairs(self, rows: list[tuple[str, str]]) -> None:
        self.table(["项目", "内容"], [list(row) for row in rows], (40, 130))

    def save(self) -> bytes:
        return lean_docx(self.document)


def _contract_section(out: _Writer, contract) -> None:
    out.heading("一、合同信息")
    out.pairs(
        [
            ("合同名称", contract.subject),
            ("合同编号", contract.id),
            ("业务编号", contract.biz_id),
            ("合同类别", CATEGORIES.get(contract.category, contract.category)),
            ("状态", STATUSES.get(contract.status, contract.status)),
            ("经销商门店", contract.tenant),
            ("创建时间", china_time(contract.created_at)),
            ("发起签署时间", china_time(contract.sent_at)),
            ("完成时间", china_time(contract.completed_at)),
        ]
    )


def _signatories_section(out: _Writer, contract, events: list[dict]) -> None:
    out.heading("二、签署方、实名认证与意愿确认")
    rows = []
    for s in contract.signatories:
        mine = [e for e in events if e["data"].get("signatory") == s.id]
        identity = [e for e in mine if e["type"].startswith("identity_")]
        willingness = [e for e in mine if e["type"] == "willingness_confirmed"]
        rows.append(
            [
                f"{s.role}\n{s.name}",
                s.id_number_masked or s.credit_code or "—",
                "\n".join(
                    f"{EVENT_LABELS.get(e['type'], e['type'])}（{_method(e)}）"
                    f" {china_time(e['at'])}"
                    for e in identity
                )
                or ("自动盖章" if s.auto else "—"),
                "\n".join(f"{_method(e)} {china_time(e['at'])}" for e in willingness)
                or "—",
                f"{s.status} {china_time(s.signed_at) if s.signed_at else ''}",
            ]
        )
    out.table(
        ["签署方", "证件号码/信用代码", "实名认证", "意愿确认", "状态"],
        rows,
        (34, 34, 38, 34, 30),
    )


def _documents_section(out: _Writer, documents) -> None:
    out.heading("三、文件及其SHA-256（每个版本）")
    for item in documents:
        out.line(f"《{item.document.title}》（{item.document.kind}）", bold=True)
        for revision in item.revisions:
            out.line(
                f"版本{revision.number}：{revision.reason}，{revision.size}字节，"
                f"{china_time(revision.created_at)}",
                size=_SMALL,
            )
            out.digest(revision.sha256)


def _events_section(out: _Writer, events: list[dict]) -> None:
    out.heading("四、操作记录（审计事件）")
    out.table(
        ["序号", "时间", "事件", "操作人", "IP地址/设备", "详情"],
        [
            [
                str(e["seq"]),
                china_time(e["at"]),
                EVENT_LABELS.get(e["type"], e["type"]),
                mask_numbers(e["actor"]),
                f"{e['ip'] or '—'}\n{e['user_agent'] or '—'}",
                _data_text(e["data"])
                + (
                    f"\n文件SHA-256：{e['document_sha256']}"
                    if e["document_sha256"]
                    else ""
                ),
            ]
            for e in events
        ],
        (10, 24, 24, 26, 34, 52),
    )


def _signatures_section(out: _Writer, documents) -> None:
    out.heading("五、签名验证结果（各文件当前版本）")
    for item in documents:
        report = item.validation
        if report is None:
            out.line(f"《{item.document.title}》：无签名。")
            continue
        out.line(
            f"《{item.document.title}》总体结论："
            f"{INDICATIONS.get(report.indication, report.indication)}",
            bold=True,
        )
        out.table(
            ["签名域", "签署人", "签署时间", "时间戳", "级别", "结论"],
            [
                [
                    s.field_name,
                    s.signer_common_name or s.signer,
                    s.signing_time or "—",
                    f"{s.timestamp_time or '—'}\n{s.timestamp_authority or ''}",
                    s.level
                    or ("文档时间戳" if s.kind == "document_timestamp" else "—"),
                    INDICATIONS.get(s.indication, s.indication)
                    + ("，内容完整" if s.intact else "，内容被改动")
                    + (f"\n{s.trust_problem}" if s.trust_problem else ""),
                ]
                for s in report.signatures
            ],
            (22, 32, 26, 40, 16, 34),
        )


def _chain_section(out: _Writer, evidence) -> None:
    out.heading("六、审计哈希链")
    verdict = (
        "完整：每个事件的哈希均由前一事件的哈希与本事件内容重新计算一致。"
        if evidence.chain_problem is None
        else f"不完整：{evidence.chain_problem}"
    )
    out.line(f"事件数：{len(evidence.events)}；校验结果：{verdict}")
    out.line(CHAIN_HEAD_LABEL)
    out.digest(evidence.chain_head)


def report_docx(evidence, issuer: str) -> bytes:
    """The report of ``evidence`` (:class:`bridge.services.evidence.Evidence`)."""
    out = _Writer()
    out.line("电子签约出证报告", size=18, font=FONT["heiti"], center=True)
    out.line(
        f"报告出具时间：{china_time(evidence.issued_at)}    出证机构：{issuer}",
        size=_SMALL,
        center=True,
    )
    _contract_section(out, evidence.contract)
    _signatories_section(out, evidence.contract, evidence.events)
    _documents_section(out, evidence.documents)
    _events_section(out, evidence.events)
    _signatures_section(out, evidence.documents)
    _chain_section(out, evidence)
    out.heading("七、声明")
    out.line(
        "本报告依据本平台存证的审计事件、文件版本及其数字签名自动生成，"
        "并由出证机构以电子印章（PAdES B-LTA，含时间戳）签章。"
        "证件号码与手机号码仅以部分隐藏形式显示。"
    )
    for _ in range(4):  # room for the seal, which is centred on the keyword line
        out.line("")
    out.line(ISSUER_KEYWORD)
    return out.save()
