"""The red-header library without LibreOffice: metadata, templates, composition."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document

from red_header import (
    MetadataError,
    TemplateError,
    compose,
    list_templates,
    parse_metadata,
)

SAMPLE = {
    "issuers": ["中国重型汽车集团有限公司"],
    "organ_code": "重汽发",
    "doc_number": "重汽发〔2026〕15号",
    "title": "关于全面推行汽车金融业务电子签约的通知",
    "recipients": ["各经销商", "集团各部门"],
    "body": "第一段。\n\n一、工作目标。第二段。",
    "attachments": ["电子签约操作指引"],
    "signature": "中国重型汽车集团有限公司",
    "date": "2026-11-29",
    "cc": ["集团领导"],
    "printer": "中国重型汽车集团有限公司办公室",
    "print_date": "2026-11-29",
}


def _texts(docx: bytes) -> list[str]:
    document = Document(io.BytesIO(docx))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def test_every_missing_field_gets_its_own_message():
    with pytest.raises(MetadataError) as caught:
        parse_metadata({"issuers": [], "date": "29/11/2026", "copy_number": "12"})
    problems = caught.value.problems
    for field in (
        "issuers",
        "organ_code",
        "title",
        "body",
        "date",
        "printer",
        "print_date",
        "copy_number",
    ):
        assert field in problems, field
    assert "2026-11-29" in problems["date"]


def test_bad_number_and_mismatched_signatures():
    data = dict(SAMPLE, doc_number="重汽发2026-15", signature=["甲", "乙"])
    with pytest.raises(MetadataError) as caught:
        parse_metadata(data)
    assert set(caught.value.problems) == {"doc_number", "signature"}


def test_the_four_templates_are_shipped():
    assert set(list_templates()) >= {"文件", "上行文", "函", "纪要"}


def test_composed_document_carries_every_part():
    texts = "\n".join(_texts(compose("文件", parse_metadata(SAMPLE))))
    for expected in (
        "中国重型汽车集团有限公司文件",
        "重汽发〔2026〕15号",
        "关于全面推行汽车金融业务电子签约的通知",
        "各经销商、集团各部门：",
        "一、工作目标。",
        "附件：电子签约操作指引",
        "2026年11月29日",
        "抄送：集团领导。",
        "2026年11月29日印发",
    ):
        assert expected in texts, expected
    assert "{{" not in texts
    assert "{%" not in texts


def test_upward_document_needs_its_signer():
    with pytest.raises(MetadataError, match="signers"):
        compose("上行文", parse_metadata(SAMPLE))
    texts = "\n".join(
        _texts(compose("上行文", parse_metadata(dict(SAMPLE, signers=["王建国"]))))
    )
    assert "签发人：王建国" in texts


def test_joint_issuance_stacks_the_organs():
    data = dict(
        SAMPLE,
        issuers=["中国重型汽车集团有限公司", "重汽汽车金融有限公司"],
        signature=["中国重型汽车集团有限公司", "重汽汽车金融有限公司"],
    )
    texts = _texts(compose("文件", parse_metadata(data)))
    assert "中国重型汽车集团有限公司\n重汽汽车金融有限公司" in texts
    assert "文件" in texts


def test_unknown_template_and_unallocated_number():
    with pytest.raises(TemplateError, match="known"):
        compose("不存在", parse_metadata(SAMPLE))
    with pytest.raises(TemplateError):
        compose("../../etc/passwd", parse_metadata(SAMPLE))
    with pytest.raises(MetadataError, match="doc_number"):
        compose("文件", parse_metadata(dict(SAMPLE, doc_number=None)))


def test_a_drafters_body_keeps_paragraphs_headings_and_tables(tmp_path: Path):
    draft = Document()
    draft.add_heading("一、总体要求", level=1)
    draft.add_paragraph("各单位要按照本通知要求执行。")
    draft.add_heading("（一）适用范围", level=2)
    table = draft.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "业务"
    table.cell(1, 0).text = "借款合同"
    buffer = io.BytesIO()
    draft.save(buffer)
    docx = compose(
        "文件", parse_metadata(SAMPLE, body_given=True), body_docx=buffer.getvalue()
    )
    document = Document(io.BytesIO(docx))
    paragraphs = {p.text: p for p in document.paragraphs}
    assert "一、总体要求" in paragraphs
    heading_font = paragraphs["一、总体要求"].runs[0]._element.rPr.rFonts
    assert (
        heading_font.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        == "黑体"
    )
    assert any(
        "借款合同" in cell.text
        for t in document.tables
        for r in t.rows
        for cell in r.cells
    )


def test_an_unreadable_body_is_a_template_error():
    with pytest.raises(TemplateError, match="body document"):
        compose(
            "文件", parse_metadata(SAMPLE, body_given=True), body_docx=b"not a docx"
        )


def test_json_example_from_the_issue_parses(tmp_path):
    data = json.loads(json.dumps(dict(SAMPLE, doc_number=None)))
    document = parse_metadata(data)
    assert document.doc_number is None
    assert document.signature == ("中国重型汽车集团有限公司",)
