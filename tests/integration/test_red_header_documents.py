"""Red-header documents end to end: LibreOffice, the layout check, fonts, seals."""

from __future__ import annotations

import copy
import io
import shutil
import subprocess

import pytest
from docx import Document

from bridge import create_app
from bridge.extensions import db
from bridge.models import DocumentNumber
from bridge.services.official_documents import issue_official_document, layout_check
from bridge.services.seals import create_seal
from tests.pdfs import pdfsig, red_fraction

PARAGRAPH = (
    "各经销商应当按照汽车金融公司的统一部署，认真做好电子签约业务的宣传解释工作，"
    "向客户说明电子合同与纸质合同具有同等法律效力，引导客户通过手机完成实名认证和签署。"
)
DOCUMENT = {
    "issuers": ["中国重型汽车集团有限公司"],
    "organ_code": "重汽发",
    "doc_number": None,
    "title": "关于全面推行汽车金融业务电子签约的通知",
    "recipients": ["各经销商", "集团各部门"],
    "body": "\n".join(
        [
            "为贯彻落实集团数字化转型部署，提高汽车金融业务办理效率，经集团研究决定，"
            "在全集团范围内全面推行汽车金融业务电子签约。现将有关事项通知如下。",
            "一、工作目标。全面实现征信授权、购车贷款申请、借款合同、融资租赁合同和担保函"
            "电子签约，签约周期由三至七天缩短至一天以内。",
            "二、职责分工。",
            "（一）汽车金融公司。负责电子签约平台的建设、运行和维护。",
            "（二）各经销商。" + PARAGRAPH,
        ]
        + [PARAGRAPH] * 9
    ),
    "attachments": ["电子签约操作指引", "经销商联系人名单"],
    "signature": ["中国重型汽车集团有限公司"],
    "date": "2026-11-29",
    "cc": ["集团领导"],
    "printer": "中国重型汽车集团有限公司办公室",
    "print_date": "2026-11-29",
}
GROUP_SEAL = "中国重型汽车集团有限公司公章"
FINANCE_SEAL = "重汽汽车金融有限公司公章"


@pytest.fixture(scope="module")
def office(seeded_home, tmp_path_factory):
    """An app whose warm LibreOffice pool serves the whole module."""
    home = tmp_path_factory.mktemp("office") / "instance"
    shutil.copytree(seeded_home, home)
    app = create_app({"HOME": str(home), "CONVERSION_POOL_SIZE": 1})
    with app.app_context():
        create_seal(company="重汽汽车金融有限公司", kind="official")
    yield app
    from bridge.services.conversion import converter

    with app.app_context():
        converter().close()


def _issue(app, template="文件", **changes):
    data = copy.deepcopy(DOCUMENT)
    data.update(changes.pop("data", {}))
    with app.app_context():
        return issue_official_document(template, data, **changes)


def _assert_layout(app, pdf: bytes, *, sealed: bool) -> None:
    with app.app_context():
        report = layout_check(pdf)
    failures = [
        (r.rule, r.measured, r.expected) for r in report.rules if r.passed is False
    ]
    assert not failures, failures
    verdicts = {rule.rule: rule.passed for rule in report.rules}
    assert verdicts["lines_per_page"] is True  # the long body fills page 2
    assert verdicts["chars_per_line"] is True
    assert verdicts["seal_position"] is (True if sealed else None)


def _fonts_embedded(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    rows = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    for row in rows:
        assert row.split()[-5] == "yes", row  # the emb column
    return [row.split()[0] for row in rows]


@pytest.mark.parametrize(
    ("template", "extra"),
    [("文件", {}), ("上行文", {"signers": ["王建国"]}), ("函", {}), ("纪要", {})],
)
def test_every_template_meets_the_standard(office, tmp_path, template, extra):
    issued = _issue(office, template, data=extra)
    _assert_layout(office, issued.pdf, sealed=False)
    fonts = _fonts_embedded(issued.pdf, tmp_path)
    assert fonts
    (tmp_path / "doc.pdf").write_bytes(issued.pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            str(tmp_path / "doc.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    (page,) = tmp_path.glob("page-*.png")
    scale = 40 / 25.4
    mark = (int(30 * scale), int(70 * scale), int(180 * scale), int(90 * scale))
    assert red_fraction(page, mark) > 0.05  # the red issuer mark
    line = (int(40 * scale), int(119 * scale), int(170 * scale), int(122 * scale) + 1)
    assert red_fraction(page, line) > 0.1  # the red separator, 4 mm under the number
    below = (int(40 * scale), int(124 * scale), int(170 * scale), int(128 * scale))
    assert red_fraction(page, below) == 0
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "doc.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = text.replace(" ", "")  # pdftotext spaces digits from Chinese text
    assert issued.number in text
    if template == "上行文":
        assert "签发人：王建国" in text


def test_sealed_document_puts_the_seal_on_signature_and_date(office, tmp_path):
    issued = _issue(office, seals=[GROUP_SEAL])
    _assert_layout(office, issued.pdf, sealed=True)
    path = tmp_path / "sealed.pdf"
    path.write_bytes(issued.pdf)
    (signature,) = pdfsig(path)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert "中国重型汽车集团有限公司" in signature["Signer Certificate Common Name"]


def test_joint_issuance_has_one_seal_per_issuer(office, tmp_path):
    organs = ["中国重型汽车集团有限公司", "重汽汽车金融有限公司"]
    issued = _issue(
        office,
        data={"issuers": organs, "signature": organs},
        seals=[GROUP_SEAL, FINANCE_SEAL],
    )
    _assert_layout(office, issued.pdf, sealed=True)
    path = tmp_path / "joint.pdf"
    path.write_bytes(issued.pdf)
    assert [s["Signature Validation"] for s in pdfsig(path)] == [
        "Signature is Valid."
    ] * 2


def test_a_drafters_docx_body_keeps_its_structure(office, tmp_path):
    draft = Document()
    draft.add_heading("一、总体要求", level=1)
    draft.add_paragraph(PARAGRAPH)
    draft.add_heading("（一）适用范围", level=2)
    table = draft.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text = "业务类型"
    table.cell(1, 0).text = "借款合同"
    for _ in range(14):  # then a page of text only
        draft.add_paragraph(PARAGRAPH)
    buffer = io.BytesIO()
    draft.save(buffer)
    issued = _issue(office, body_docx=buffer.getvalue(), data={"body": None})
    _assert_layout(office, issued.pdf, sealed=False)
    path = tmp_path / "draft.pdf"
    path.write_bytes(issued.pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "一、总体要求" in text
    assert "借款合同" in text
    assert any("Sans" in font for font in _fonts_embedded(issued.pdf, tmp_path))  # 黑体


def test_numbers_follow_each_other_and_a_failed_issue_voids_its_number(office):
    first = _issue(office, to_pdf=False)
    second = _issue(office, to_pdf=False)
    serial = int(first.number.split("〕")[1].rstrip("号"))
    assert second.number == f"重汽发〔2026〕{serial + 1}号"
    from bridge.errors import UnknownSealError

    with pytest.raises(UnknownSealError):
        _issue(office, seals=["没有这个章"])
    with office.app_context():
        voided = db.session.query(DocumentNumber).filter_by(serial=serial + 2).one()
    assert voided.status == "void"
    assert "没有这个章" in voided.void_reason
    third = _issue(office, to_pdf=False)
    assert third.number == f"重汽发〔2026〕{serial + 3}号"


def test_bad_requests(office):
    from bridge.errors import BridgeError

    with pytest.raises(BridgeError) as caught:
        _issue(office, data={"title": None, "date": "明天", "printer": ""})
    assert caught.value.code == "invalid_metadata"
    assert set(caught.value.details) == {"title", "date", "printer"}
    with pytest.raises(BridgeError) as caught:
        _issue(office, "不存在的模板")
    assert caught.value.code == "unknown_template"
    with pytest.raises(BridgeError) as caught:
        _issue(office, body_docx=b"PK\x03\x04 not really a zip", data={"body": None})
    assert caught.value.code == "invalid_docx"
    with pytest.raises(BridgeError) as caught:
        _issue(office, "纪要", seals=[GROUP_SEAL])
    assert caught.value.code == "template_not_sealed"
    with pytest.raises(BridgeError) as caught:
        _issue(office, seals=[GROUP_SEAL, FINANCE_SEAL])
    assert caught.value.code == "seal_count"
