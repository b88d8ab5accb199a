"""The command line and configuration layering."""

from __future__ import annotations

import io

import pdfplumber
from PIL import Image, ImageDraw

from bridge import create_app
from bridge.config import load_config
from tests.pdfs import chinese_pdf, pdfsig, widgets


def test_seals_list_shows_fingerprint_and_validity(cli, seal_names):
    lines = cli("seals", "list").output.strip().splitlines()
    assert len(lines) == 5
    official = next(line for line in lines if line.startswith(seal_names["official"]))
    name, kind, _id, fingerprint, validity, state = official.split("\t")
    assert kind == "official"
    assert fingerprint.startswith("SHA256:")
    assert len(fingerprint) == len("SHA256:") + 64
    assert ".." in validity
    assert state == "valid"


def test_keyword_index_all_seals_every_occurrence_with_one_signature(
    seal_file, tmp_path, seal_names
):
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(3))
    target = tmp_path / "out.pdf"
    seal_file(
        source, target, seal_names["dealer"], "--keyword", "第2行", "--index", "all"
    )
    with pdfplumber.open(target) as document:
        counts = [len(widgets(page)) for page in document.pages]
    assert counts == [1, 1, 1]
    (signature,) = pdfsig(target)
    assert signature["Signature Validation"] == "Signature is Valid."


def test_scanned_seal_image_is_used(seal_file, cli, tmp_path, seal_names):
    scan = Image.new("RGB", (400, 400), "white")
    ImageDraw.Draw(scan).ellipse((20, 20, 380, 380), outline=(210, 20, 30), width=18)
    buffer = io.BytesIO()
    scan.save(buffer, format="JPEG")
    (tmp_path / "scan.jpg").write_bytes(buffer.getvalue())
    result = cli(
        "seals", "set-image", seal_names["contract"], str(tmp_path / "scan.jpg")
    )
    assert result.exit_code == 0, result.output
    assert '"image_source": "scan"' in result.output
    source = tmp_path / "in.pdf"
    source.write_bytes(chinese_pdf(1))
    target = tmp_path / "out.pdf"
    seal_file(source, target, seal_names["contract"], "--x", "300", "--y", "300")
    assert pdfsig(target)[0]["Signature Validation"] == "Signature is Valid."


def test_configuration_layers(tmp_path):
    (tmp_path / "sealbridge.toml").write_text(
        'seal_key_algorithm = "rsa3072"\npublic_url = "https://file.example"\n'
    )
    environ = {
        "SEALBRIDGE_PUBLIC_URL": "https://env.example",
        "SEALBRIDGE_TSA_URLS": "http://a/tsa, http://b/tsa",
    }
    config = load_config(tmp_path, {"TSA_ATTEMPTS": 5}, environ=environ)
    assert config["SEAL_KEY_ALGORITHM"] == "rsa3072"
    assert config["PUBLIC_URL"] == "https://env.example"
    assert config["TSA_URLS"] == ["http://a/tsa", "http://b/tsa"]
    assert config["TSA_ATTEMPTS"] == 5
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'sealbridge.db'}"


def test_home_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SEALBRIDGE_HOME", str(tmp_path / "from-env"))
    app = create_app()
    assert app.config["HOME"] == str(tmp_path / "from-env")
    assert (tmp_path / "from-env" / "sealbridge.db").exists()
