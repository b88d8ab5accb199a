"""Finance templates end to end: parameters, rendering with LibreOffice, PDF layout."""

from __future__ import annotations

import copy
import io
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pdfplumber
import pytest
from docx import Document
from docxtpl import DocxTemplate

from bridge.documents import check_pdf_fonts
from bridge.documents import finance_templates as ft
from bridge.documents.finance_template_builder import main as build_templates
from bridge.documents.soffice import ColdSofficeConverter
from bridge.domain.money import amount_in_words
from bridge.errors import InvalidInputError, NotFoundError

MM = 72 / 25.4
SEAL_ROOM = 45 * MM
"""A 42 mm seal and a little air."""

NAMES = [
    "credit_authorization",
    "guarantee_letter",
    "lease_contract",
    "loan_application",
    "loan_contract",
]
AMOUNT = {
    "credit_authorization": ("amount",),
    "loan_application": ("loan", "amount"),
    "loan_contract": ("loan", "amount"),
    "lease_contract": ("lease", "amount"),
    "guarantee_letter": ("main_contract", "amount"),
}
"""Where each template's principal amount is in its parameters."""


def example(name: str) -> dict:
    return copy.deepcopy(ft.get_template(name).schema["examples"][0])


def without_guarantor() -> dict:
    params = example("loan_contract")
    del params["guarantor"]
    return params


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, bytes]:
    """Every template's example, and the loan contract without a guarantor, as PDF."""
    converter = ColdSofficeConverter(
        timeout=60, folder=tmp_path_factory.mktemp("soffice")
    )
    jobs = {name: (name, example(name)) for name in NAMES}
    jobs["loan_contract/no_guarantor"] = ("loan_contract", without_guarantor())

    def convert(job):
        name, params = job
        return converter.convert(ft.render(ft.get_template(name), params))

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(jobs, pool.map(convert, jobs.values()), strict=True))


def pdftotext(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return "".join(text.split())


def embedded_column(pdf: bytes) -> list[str]:
    rows = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return [row.split()[-5] for row in rows.splitlines()[2:] if row.strip()]


def is_free(page, box: tuple[float, float, float, float]) -> bool:
    """No ink (characters, lines, rectangles) in ``box`` (x0, top, x1, bottom)."""
    x0, top, x1, bottom = box
    if x0 < 0 or top < 0 or x1 > page.width or bottom > page.height:
        return False
    inked = [c for c in page.chars if c["text"].strip()] + page.lines + page.rects
    return not any(
        o["x0"] < x1 and o["x1"] > x0 and o["top"] < bottom and o["bottom"] > top
        for o in inked
    )


def seal_room(page, hit: dict) -> bool:
    """45 mm free right of the keyword (centred on its line) or below it."""
    middle = (hit["top"] + hit["bottom"]) / 2
    half = SEAL_ROOM / 2
    right = (hit["x1"] + 0.5, middle - half, hit["x1"] + SEAL_ROOM, middle + half)
    below = (
        hit["x0"],
        hit["bottom"] + 0.5,
        hit["x0"] + SEAL_ROOM,
        hit["bottom"] + SEAL_ROOM,
    )
    return is_free(page, right) or is_free(page, below)


# -- the templates and their schemas -----------------------------------------


def test_the_five_templates_are_listed():
    templates = ft.list_templates()
    assert [t.name for t in templates] == NAMES
    assert {t.name: t.title for t in templates} == {
        "credit_authorization": "征信查询授权书",
        "guarantee_letter": "担保函",
        "lease_contract": "融资租赁合同",
        "loan_application": "购车贷款申请表",
        "loan_contract": "借款合同",
    }
    for template in templates:
        assert template.category == template.name
        assert template.path.is_file()
        described = json.loads(json.dumps(template.describe(), ensure_ascii=False))
        assert described["parameters"]["$schema"].endswith("/draft/2020-12/schema")
        assert [s["keyword"] for s in described["signatories"]] == [
            s.keyword for s in template.signatories
        ]


def test_loan_contract_signatories():
    template = ft.get_template("loan_contract")
    assert [
        (s.role, s.kind, s.param, s.keyword, s.routing_order, s.actions, s.auto)
        for s in template.signatories
    ] == [
        (
            "borrower",
            "PERSONAL",
            "borrower",
            "借款人（签字）：",
            1,
            ("PERSONAL_SIGN",),
            False,
        ),
        (
            "guarantor",
            "PERSONAL",
            "guarantor",
            "保证人（签字）：",
            2,
            ("PERSONAL_SIGN",),
            False,
        ),
        (
            "dealer",
            "COMPANY",
            "dealer",
            "经销商（盖章）：",
            3,
            ("COMPANY_SEAL",),
            False,
        ),
        ("lender", "COMPANY", "lender", "贷款人（盖章）：", 4, ("COMPANY_SEAL",), True),
    ]
    assert [s.optional for s in template.signatories] == [False, True, False, False]


@pytest.mark.parametrize("name", NAMES)
def test_examples_are_valid_and_keywords_unique(name):
    template = ft.get_template(name)
    params = example(name)
    assert ft.validate_params(template, params) == params
    keywords = [slot.keyword for slot in template.signatories]
    assert len(set(keywords)) == len(keywords)
    assert all(keyword.endswith("：") for keyword in keywords)


@pytest.mark.parametrize("name", NAMES)
def test_every_placeholder_is_a_declared_parameter(name):
    """The shipped .docx uses only parameters its schema declares (or their
    computed companions: amounts in words, Chinese dates)."""
    template = ft.get_template(name)
    declared = set()
    for key, node in template.schema["properties"].items():
        declared.add(key)
        suffixes = {"cny-amount": ("_text", "_words"), "date": ("_cn",)}
        declared |= {key + suffix for suffix in suffixes.get(node.get("format"), ())}
    used = DocxTemplate(str(template.path)).get_undeclared_template_variables()
    assert used <= declared, used - declared


def test_builder_rebuilds_every_template(tmp_path):
    for name in NAMES:
        source = ft.TEMPLATE_FOLDER / f"{name}.schema.json"
        (tmp_path / source.name).write_bytes(source.read_bytes())
    build_templates(str(tmp_path))
    assert sorted(p.stem for p in tmp_path.glob("*.docx")) == NAMES


def test_parties_of_the_loan_contract():
    template = ft.get_template("loan_contract")
    params = example("loan_contract")
    params["borrower"]["id_number"] = "11010519491231002x"
    parties = ft.parties(template, params)
    assert [(p["role"], p["routing_order"], p["auto"]) for p in parties] == [
        ("borrower", 1, False),
        ("guarantor", 2, False),
        ("dealer", 3, False),
        ("lender", 4, True),
    ]
    assert parties[0] == {
        "role": "borrower",
        "kind": "PERSONAL",
        "name": "张建国",
        "id_number": "11010519491231002X",
        "mobile": "13953112345",
        "keyword": "借款人（签字）：",
        "routing_order": 1,
        "actions": ["PERSONAL_SIGN"],
        "auto": False,
    }
    assert parties[3]["credit_code"] == params["lender"]["credit_code"]
    assert "mobile" not in parties[3]
    assert [p["role"] for p in ft.parties(template, without_guarantor())] == [
        "borrower",
        "dealer",
        "lender",
    ]


# -- bad input ---------------------------------------------------------------


def test_every_bad_field_gets_one_message():
    template = ft.get_template("loan_contract")
    params = example("loan_contract")
    params["borrower"]["id_number"] = params["borrower"]["id_number"][:-1] + "0"
    params["guarantor"]["mobile"] = "1395311234"
    params["loan"]["amount"] = -278600
    del params["borrower"]["name"]
    params["vehicle"]["vin"] = "LZZ5CLSF0TW482615"
    with pytest.raises(InvalidInputError) as caught:
        ft.validate_params(template, params)
    assert caught.value.code == "invalid_parameters"
    assert caught.value.details == {
        "borrower.id_number": "check digit is wrong",
        "borrower.name": "is required",
        "guarantor.mobile": "must be 11 digits",
        "loan.amount": "must be greater than 0",
        "vehicle.vin": "check digit (position 9) is wrong",
    }


def test_messages_for_types_formats_and_choices():
    template = ft.get_template("loan_contract")
    params = example("loan_contract")
    params["loan"]["term_months"] = "36"
    params["loan"]["annual_rate"] = 30
    params["loan"]["repayment_method"] = "balloon"
    params["loan"]["first_due_date"] = "2026-02-30"
    params["vehicle"]["price"] = 398000.005
    params["dealer"]["credit_code"] = "91370100MA3C5XK21Q"
    params["guarantor"]["name"] = "Li Xiuying"
    params["lender"] = "重汽汽车金融有限公司"
    params["signing_date"] = "29/11/2026"
    params["colour"] = "red"
    del params["loan"]["repayment_account"]
    with pytest.raises(InvalidInputError) as caught:
        ft.validate_params(template, params)
    assert caught.value.details == {
        "loan.term_months": "must be an integer",
        "loan.annual_rate": "must be at most 24",
        "loan.repayment_method": "must be one of equal_installment, equal_principal",
        "loan.first_due_date": "must be a date written YYYY-MM-DD (1900-2099)",
        "loan.repayment_account": "is required",
        "vehicle.price": "must be an amount in 元 with at most two decimals",
        "dealer.credit_code": "check character is wrong",
        "guarantor.name": "must be Chinese characters (parts may be joined by ·)",
        "lender": "must be an object",
        "signing_date": "must be a date written YYYY-MM-DD (1900-2099)",
        "colour": "is not allowed",
    }


@pytest.mark.parametrize("params", [None, [], "text", 42])
def test_parameters_must_be_an_object(params):
    with pytest.raises(InvalidInputError) as caught:
        ft.validate_params(ft.get_template("guarantee_letter"), params)
    assert caught.value.details == {"parameters": "must be an object"}


def test_missing_parties_are_reported_by_name():
    with pytest.raises(InvalidInputError) as caught:
        ft.validate_params(ft.get_template("lease_contract"), {})
    assert set(caught.value.details) == {
        "contract_number",
        "signing_date",
        "signing_place",
        "lessee",
        "dealer",
        "lessor",
        "vehicle",
        "lease",
    }
    assert set(caught.value.details.values()) == {"is required"}


@pytest.mark.parametrize(
    "name", ["nope", "../loan_contract", "", "Loan_Contract", None, 7]
)
def test_unknown_templates(name):
    with pytest.raises(NotFoundError) as caught:
        ft.get_template(name)
    assert caught.value.code == "unknown_template"


def test_render_refuses_invalid_parameters():
    params = example("credit_authorization")
    params["borrower"]["mobile"] = "2395311234"
    with pytest.raises(InvalidInputError):
        ft.render(ft.get_template("credit_authorization"), params)


def test_values_are_escaped_in_the_document():
    params = example("loan_contract")
    params["signing_place"] = "济南 <R&D> 园区"
    docx = ft.render(ft.get_template("loan_contract"), params)
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "在济南 <R&D> 园区签订" in text


# -- the PDFs ----------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_pdf_shows_amount_in_words_vin_and_parties(pdfs, name):
    params = example(name)
    text = pdftotext(pdfs[name])
    amount = params
    for key in AMOUNT[name]:
        amount = amount[key]
    assert amount_in_words(Decimal(str(amount))) in text
    assert params["vehicle"]["vin"] in text
    for party in ft.parties(ft.get_template(name), params):
        assert party["name"] in text


def test_loan_contract_pdf_has_the_whole_schedule(pdfs):
    text = pdftotext(pdfs["loan_contract"])
    assert "人民币贰拾柒万捌仟陆佰元整（小写：¥278,600.00）" in text
    assert "2026年12月29日" in text
    assert "2029年11月29日" in text  # the 36th installment
    assert "2029年12月29日" not in text
    assert "年利率为6.88%" in text
    assert "等额本息" in text
    assert "李秀英" in text
    with pdfplumber.open(io.BytesIO(pdfs["loan_contract"])) as document:
        first = document.pages[0]  # the room check does see text
        assert not seal_room(first, first.search("鉴于", regex=False)[0])


def test_lease_contract_pdf_terms(pdfs):
    text = pdftotext(pdfs["lease_contract"])
    assert "人民币叁拾壹万捌仟肆佰元整（小写：¥318,400.00）" in text
    assert "人民币壹万伍仟玖佰贰拾元整" in text  # the deposit
    assert "人民币壹佰元整" in text  # the purchase option
    assert "2029年11月29日" in text


def test_loan_contract_without_guarantor(pdfs):
    pdf = pdfs["loan_contract/no_guarantor"]
    text = pdftotext(pdf)
    assert "保证人" not in text
    assert "李秀英" not in text
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        last = document.pages[-1]
        for keyword in ("借款人（签字）：", "经销商（盖章）：", "贷款人（盖章）："):
            (hit,) = last.search(keyword, regex=False)
            assert seal_room(last, hit), keyword


@pytest.mark.parametrize("name", NAMES)
def test_signature_keywords_on_the_last_page_with_room_for_a_seal(pdfs, name):
    template = ft.get_template(name)
    with pdfplumber.open(io.BytesIO(pdfs[name])) as document:
        *earlier, last = document.pages
        for slot in template.signatories:
            hits = last.search(slot.keyword, regex=False)
            assert len(hits) == 1, slot.keyword
            assert hits[0]["text"] == slot.keyword
            assert seal_room(last, hits[0]), slot.keyword
            assert not any(page.search(slot.keyword, regex=False) for page in earlier)
            dates_below = [
                date["top"] - hits[0]["bottom"]
                for date in last.search("日期：", regex=False)
                if abs(date["x0"] - hits[0]["x0"]) < 1 and date["top"] > hits[0]["top"]
            ]
            assert 15 * MM < min(dates_below) < 30 * MM, slot.keyword  # its own


@pytest.mark.parametrize("name", NAMES)
def test_every_font_is_embedded(pdfs, name):
    columns = embedded_column(pdfs[name])
    assert columns
    assert set(columns) == {"yes"}
    check_pdf_fonts(pdfs[name])  # and no character drawn as a box
