"""Every bad input gets a one-line error (CLI exit 2) or a 4xx with a code."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.pdfs import chinese_pdf


@pytest.fixture
def contract(tmp_path):
    path = tmp_path / "contract.pdf"
    path.write_bytes(chinese_pdf(2))
    return path


def _assert_rejected(result, code: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    assert lines[0].endswith(f"[{code}]")


def _bad_pdfs(tmp_path):
    good = chinese_pdf(2)
    cases = {
        "not_a_pdf": (b"PK\x03\x04 this is a zip, not a PDF" * 10, "invalid_pdf"),
        "truncated": (good[: len(good) // 2], "invalid_pdf"),
        "corrupt": (good[:200] + b"\x00garbage" * 50 + good[-300:], "invalid_pdf"),
        "encrypted": (chinese_pdf(1, encrypt="secret"), "encrypted_pdf"),
        "empty": (b"", "invalid_pdf"),
    }
    for name, (data, code) in cases.items():
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        yield name, path, code


def test_bad_pdfs_are_rejected_and_left_untouched(seal_file, cli, tmp_path, seal_names):
    for name, path, code in _bad_pdfs(tmp_path):
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        out = tmp_path / f"{name}-out.pdf"
        result = seal_file(
            path, out, seal_names["official"], "--x", "100", "--y", "100", check=False
        )
        _assert_rejected(result, code)
        assert not out.exists()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
        _assert_rejected(cli("verify", str(path)), code)


@pytest.mark.parametrize(
    ("placement", "code"),
    [
        (("--keyword", "不存在的关键字"), "keyword_not_found"),
        (("--page", "9", "--x", "100", "--y", "100"), "page_out_of_range"),
        (("--page", "0", "--x", "100", "--y", "100"), "page_out_of_range"),
        ((), "placement_missing"),
        (("--x", "100", "--y", "100", "--size", "900"), "invalid_placement"),
    ],
)
def test_bad_placements(seal_file, contract, tmp_path, seal_names, placement, code):
    before = contract.read_bytes()
    out = tmp_path / "out.pdf"
    result = seal_file(contract, out, seal_names["official"], *placement, check=False)
    _assert_rejected(result, code)
    assert contract.read_bytes() == before
    assert not out.exists()


def test_riding_seal_needs_two_pages(seal_file, tmp_path, seal_names):
    single = tmp_path / "single.pdf"
    single.write_bytes(chinese_pdf(1))
    result = seal_file(
        single, tmp_path / "o.pdf", seal_names["official"], "--riding", check=False
    )
    _assert_rejected(result, "invalid_placement")


def test_unknown_seal(seal_file, contract, tmp_path):
    result = seal_file(
        contract, tmp_path / "o.pdf", "没有这个章", "--x", "1", "--y", "1", check=False
    )
    _assert_rejected(result, "unknown_seal")


def test_output_may_not_overwrite_input(seal_file, contract, seal_names):
    before = contract.read_bytes()
    result = seal_file(
        contract,
        contract,
        seal_names["official"],
        "--x",
        "100",
        "--y",
        "100",
        check=False,
    )
    _assert_rejected(result, "invalid_input")
    assert contract.read_bytes() == before


def test_missing_input_file(seal_file, tmp_path, seal_names):
    result = seal_file(
        tmp_path / "nope.pdf",
        tmp_path / "o.pdf",
        seal_names["official"],
        "--x",
        "1",
        "--y",
        "1",
        check=False,
    )
    _assert_rejected(result, "file_unreadable")


def _png(size: tuple[int, int], colour=(200, 0, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_bad_seal_images(cli, tmp_path, seal_names):
    not_image = tmp_path / "not.png"
    not_image.write_bytes(b"\x89PNG\r\n\x1a\nthis is not really a png")
    _assert_rejected(
        cli("seals", "set-image", seal_names["official"], str(not_image)),
        "invalid_image",
    )
    huge = tmp_path / "huge.png"
    huge.write_bytes(_png((10, 10)) + b"\x00" * (5 * 1024 * 1024 + 1))
    _assert_rejected(
        cli("seals", "set-image", seal_names["official"], str(huge)), "file_too_large"
    )
    _assert_rejected(
        cli("seals", "set-image", "没有这个章", str(not_image)), "unknown_seal"
    )


def test_seal_creation_errors(cli, seal_names):
    _assert_rejected(
        cli("seals", "create", "--company", "某公司", "--kind", "round"),
        "invalid_seal_kind",
    )
    _assert_rejected(
        cli("seals", "create", "--company", "某公司", "--kind", "legal_rep"),
        "holder_required",
    )
    company = "中国重型汽车集团有限公司"
    _assert_rejected(
        cli("seals", "create", "--company", company, "--kind", "official"),
        "seal_exists",
    )


def test_verify_endpoint_rejects_non_pdf_with_a_code(client):
    response = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(b"hello"), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid_pdf"
    response = client.post(
        "/api/v1/verify", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "file_missing"


def test_unknown_route_and_method_are_json(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    response = client.get("/api/v1/verify")
    assert response.status_code == 405
