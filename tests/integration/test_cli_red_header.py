"""``sealbridge red-header``: templates, compose (with seals), check."""

from __future__ import annotations

import json

from tests.integration.test_red_header_documents import DOCUMENT
from tests.pdfs import pdfsig


def _compose(cli, data, output, *options, template="文件"):
    """``sealbridge red-header compose`` with a template, a JSON file and an output."""
    return cli(
        "red-header",
        "compose",
        "--template",
        template,
        "--data",
        str(data),
        "-o",
        str(output),
        *options,
    )


def test_templates_are_listed(cli):
    result = cli("red-header", "templates")
    assert result.exit_code == 0, result.output
    names = [line.split("\t")[0] for line in result.output.splitlines()]
    assert {"文件", "上行文", "函", "纪要"} <= set(names)


def test_compose_seal_and_check(cli, tmp_path, seal_names):
    data = tmp_path / "doc.json"
    data.write_text(json.dumps(DOCUMENT, ensure_ascii=False))
    out = tmp_path / "notice.pdf"
    result = _compose(
        cli, data, out, "--seal", seal_names["official"], "--backend", "soffice"
    )
    assert result.exit_code == 0, result.output
    assert "重汽发〔2026〕1号" in result.output
    assert pdfsig(out)[0]["Signature Validation"] == "Signature is Valid."
    check = cli("red-header", "check", str(out))
    assert check.exit_code == 0, check.output
    assert "PASS seal_position" in check.output
    report = json.loads(cli("red-header", "check", str(out), "--json").output)
    assert report["passed"] is True

    docx = tmp_path / "notice.docx"
    again = _compose(cli, data, docx)
    assert again.exit_code == 0, again.output
    assert "重汽发〔2026〕2号" in again.output
    assert docx.read_bytes()[:2] == b"PK"


def test_a_plain_pdf_fails_the_check(cli, tmp_path):
    from tests.pdfs import chinese_pdf

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(chinese_pdf(2))
    result = cli("red-header", "check", str(plain))
    assert result.exit_code == 1
    assert "FAIL mark_red" in result.output
    assert "FAIL separator_red" in result.output


def test_missing_metadata_gets_one_line_per_field(cli, tmp_path):
    data = tmp_path / "doc.json"
    data.write_text(json.dumps({"issuers": ["中国重型汽车集团有限公司"]}))
    result = _compose(cli, data, tmp_path / "x.pdf")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    fields = {line.split(":")[1].strip() for line in lines}
    assert {"organ_code", "title", "body", "date", "printer", "print_date"} <= fields
    assert all(
        line.startswith("error: ") and line.endswith("[invalid_metadata]")
        for line in lines
    )
    assert not (tmp_path / "x.pdf").exists()


def test_bad_json_and_bad_output(cli, tmp_path):
    data = tmp_path / "doc.json"
    data.write_text("{not json")
    result = _compose(cli, data, tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert "[invalid_json]" in result.output
    data.write_text(json.dumps(DOCUMENT, ensure_ascii=False))
    result = _compose(cli, data, tmp_path / "x.txt")
    assert result.exit_code == 2
    assert "[invalid_output]" in result.output
