"""examples/finance_client.py against the bridge served over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge import create_app
from examples.finance_client import ApiError, FinanceClient, main
from tests.pdfs import pdfsig
from tests.signed_client import new_api_app
from tests.wsgi_server import waitress_server

pytestmark = pytest.mark.database


@pytest.fixture
def live_bridge(home):
    """The bridge under waitress on loopback, as ``sealbridge serve`` runs it."""
    app = create_app({"HOME": str(home)})
    with waitress_server(app, threads=2) as url:
        yield app, url


def test_signed_calls_over_http(live_bridge, tmp_path):
    app, url = live_bridge
    key, secret, _ = new_api_app(app, name="总部", tenant="*", head_office=True)
    with FinanceClient(url, key, secret) as client:
        _exercise(client, tmp_path)


def _exercise(client: FinanceClient, tmp_path) -> None:
    assert client.get("/api/v1/ping") == {
        "app": "总部",
        "tenant": "*",
        "head_office": True,
    }
    # The query and a multipart body are signed as they go on the wire.
    listing = client.get("/api/v1/outbox", params={"status": "dead", "q": "王 伟~*"})
    assert listing["total"] == 0
    uploaded = client.request(
        "GET", "/api/v1/ping", files={"file": ("合同.pdf", b"%PDF-1.7\n\x00\xff")}
    )
    assert uploaded["app"] == "总部"
    with pytest.raises(ApiError) as missing:
        client.post("/api/v1/outbox/999/retry", json={"reason": "重试"})
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    target = client.download("/pki/ca/root.crt", tmp_path / "root.crt")
    assert target.read_bytes()[:1] == b"\x30"  # DER


def test_errors_carry_the_bridge_code(live_bridge):
    app, url = live_bridge
    key, _, webhook_secret = new_api_app(app)
    with FinanceClient(url, key, webhook_secret) as client:
        with pytest.raises(ApiError) as wrong:
            client.get("/api/v1/ping")
    assert (wrong.value.status, wrong.value.code) == (401, "bad_signature")
    assert "bad_signature" in str(wrong.value)


def test_main_runs_scenario_2_to_completion(live_bridge, capsys, tmp_path):
    app, url = live_bridge
    key, secret, _ = new_api_app(app)
    argv = [
        "--base-url",
        url,
        "--app-key",
        key,
        "--app-secret",
        secret,
        "--output-dir",
        str(tmp_path),
    ]
    assert main(argv) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    contract_id, path = last.split(" ", 1)
    assert len(contract_id) == 32
    *signatures, archive_timestamp = pdfsig(Path(path))
    assert [s["Signature Validation"] for s in signatures] == [
        "Signature is Valid."
    ] * 4
    assert archive_timestamp["Signer Certificate Common Name"] == (
        "Sealbridge Timestamp Authority"
    )
    assert main([*argv[:5], "wrong", *argv[6:]]) == 1
    assert "bad_signature" in capsys.readouterr().err


def test_main_reads_the_secret_from_the_environment(live_bridge, monkeypatch):
    app, url = live_bridge
    key, secret, _ = new_api_app(app)
    monkeypatch.setenv("SEALBRIDGE_APP_SECRET", "wrong")
    assert main(["--base-url", url, "--app-key", key]) == 1
    monkeypatch.delenv("SEALBRIDGE_APP_SECRET")
    with pytest.raises(SystemExit):
        main(["--base-url", url, "--app-key", key])
