"""Prepared docxtpl templates: docxtpl's output, compiled once, sandboxed."""

import io

import pytest
from docx import Document
from docxtpl import DocxTemplate
from jinja2.sandbox import SecurityError

from red_header.prepared_template import PreparedDocxTemplate


def _template(tmp_path, *lines: str):
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    path = tmp_path / "template.docx"
    document.save(path)
    return str(path)


def _body(template) -> str:
    buffer = io.BytesIO()
    template.save(buffer)
    return "\n".join(p.text for p in Document(buffer).paragraphs)


def test_renders_what_docxtpl_renders_and_escapes(tmp_path):
    path = _template(tmp_path, "借款人：{{ name }}", "金额：{{ amount }} 元")
    context = {"name": "王<五>&", "amount": "300,000.00"}
    plain = DocxTemplate(path)
    plain.render(context, autoescape=True)
    for _ in range(2):  # the second render comes from the caches
        prepared = PreparedDocxTemplate(path)
        prepared.render(context)
        assert _body(prepared) == _body(plain) == "借款人：王<五>&\n金额：300,000.00 元"


def test_compiles_each_text_once(tmp_path):
    path = _template(tmp_path, "{{ a }}")
    environment = PreparedDocxTemplate.environment
    for value in ("1", "2"):
        PreparedDocxTemplate(path).render({"a": value})
    assert environment._compiled.cache_info().hits >= 1


def test_a_placeholder_cannot_reach_python_internals(tmp_path):
    path = _template(tmp_path, "{{ name.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        PreparedDocxTemplate(path).render({"name": "x"})


def test_line_breaks_and_tabs_in_values_still_become_words_own(tmp_path):
    path = _template(tmp_path, "地址：{{ address }}")
    prepared = PreparedDocxTemplate(path)
    prepared.render({"address": "山东省济南市\n历下区\t88号"})
    xml = prepared.docx.element.body.xml
    assert "<w:br/>" in xml
    assert "<w:tab/>" in xml
    assert _body(prepared) == "地址：山东省济南市\n历下区\t88号"
