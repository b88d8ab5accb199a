"""DOCX → PDF against real LibreOffice: fonts, bad input, hangs, crashes, load."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
import pytest

from bridge import create_app
from bridge.documents import check_docx, check_pdf_fonts, unoserver_pool
from bridge.documents.conversion import ColdSofficeConverter, UnoserverPool
from bridge.documents.fonts import installed_families, resolve_aliases
from bridge.documents.processes import free_ports
from bridge.documents.unoserver_pool import (
    server_command,
    server_environment,
    uno_python,
)
from bridge.errors import (
    BridgeError,
    ConversionError,
    ConversionTimeoutError,
    ConverterBusyError,
    FontCheckError,
)
from bridge.services.conversion import converter
from tests.docx_files import chinese_docx, with_member
from tests.signed_client import SignedClient, multipart_body, new_api_app

TITLE = "关于印发汽车金融业务管理办法的通知"


def _signed(app) -> SignedClient:
    """A client signing as a new app of ``app`` (conversion is for apps only)."""
    key, secret, _ = new_api_app(app)
    return SignedClient(app.test_client(), key, secret)


def _convert(client: SignedClient, docx: bytes):
    """``POST /api/v1/convert`` of ``docx``."""
    fields = {"file": (io.BytesIO(docx), "通知.docx")}
    return client.post("/api/v1/convert", **multipart_body(fields))


@pytest.fixture(scope="session")
def pool(tmp_path_factory):
    """Two warm workers shared by the whole file (starting one takes seconds)."""
    converters = UnoserverPool(
        2, timeout=20, folder=tmp_path_factory.mktemp("unoserver")
    )
    converters.wait_until_ready()
    yield converters
    converters.close()


@pytest.fixture(scope="session")
def notice() -> bytes:
    return chinese_docx(2)


def pdffonts(pdf: bytes) -> list[dict[str, str]]:
    lines = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    rows = lines.splitlines()[2:]
    return [
        {"name": row.split()[0], "emb": row.split()[-5]} for row in rows if row.strip()
    ]


def pdftotext(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return "".join(text.split())


@contextmanager
def stopped(pgids: list[int]):
    """Freeze whole LibreOffice process groups, as a hang would."""
    for pgid in pgids:
        os.killpg(pgid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pgid in pgids:
            try:
                os.killpg(pgid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_chinese_docx_converts_with_embedded_fonts(pool, notice):
    pdf = pool.convert(notice)
    check_pdf_fonts(pdf)
    fonts = pdffonts(pdf)
    assert fonts
    assert all(font["emb"] == "yes" for font in fonts), fonts
    text = pdftotext(pdf)
    assert TITLE in text
    assert "重汽发〔2026〕15号" in text
    assert "消费贷款" in text  # the table
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 2


EXPECTED_FONT = {  # family → what LibreOffice calls its embedded program
    "Noto Serif CJK SC": ("NotoSerifCJK", "Regular"),
    "Noto Serif CJK SC Black": ("NotoSerifCJK", "Black"),
    "Noto Sans CJK SC": ("NotoSansCJK", "Regular"),
    "AR PL UKai CN": ("UKai", ""),
    "AR PL UMing CN": ("UMing", ""),
    "FandolFang": ("FandolFang", ""),
}


def test_fontconfig_aliases_pick_the_mapped_fonts(pool):
    aliases = resolve_aliases(installed_families())
    names = ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"]
    docx = _one_line_per_font(names)
    pdf = pool.convert(docx)
    embedded = {font["name"].partition("+")[2] for font in pdffonts(pdf)}
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        lines = {}
        for char in document.pages[0].chars:
            lines.setdefault(round(char["top"]), set()).add(char["fontname"])
    for name, fonts in zip(names, [lines[top] for top in sorted(lines)], strict=True):
        family, style = EXPECTED_FONT[aliases[name]]
        (font,) = fonts
        assert family in font, (name, font)
        assert style in font, (name, font)
        assert font.partition("+")[2] in embedded
    assert aliases["仿宋_GB2312"] in ("FandolFang", "Noto Serif CJK SC")


def _one_line_per_font(names: list[str]) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    for name in names:
        run = document.add_paragraph().add_run("重汽发文")
        run.font.name = name
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ole(stream_name: str) -> bytes:
    """The start of an OLE compound file naming one stream in its directory."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + stream_name.encode("utf-16-le") + bytes(1024)


def _bad_docx(notice: bytes) -> dict[str, tuple[bytes, str]]:
    zeros = bytes(8 * 1024 * 1024)  # deflates about 1000:1
    return {
        "not_a_zip": (b"%PDF-1.7 this is no Word document" * 20, "invalid_docx"),
        "truncated": (notice[: len(notice) // 2], "invalid_docx"),
        "zip_without_document": (
            with_member(_zip_only(), "readme.txt", b"hello"),
            "invalid_docx",
        ),
        "encrypted": (_ole("EncryptedPackage"), "encrypted_docx"),
        "legacy_doc": (_ole("WordDocument"), "legacy_doc"),
        "macros": (
            with_member(notice, "word/vbaProject.bin", b"VBA"),
            "macros_not_allowed",
        ),
        "traversal": (with_member(notice, "../../etc/evil.xml", b"x"), "invalid_docx"),
        "zip_bomb": (with_member(notice, "word/media/bomb.bin", zeros), "zip_bomb"),
        "too_large": (notice + bytes(20 * 1024 * 1024), "file_too_large"),
    }


def _zip_only() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


def test_bad_docx_get_their_codes(notice):
    for name, (data, code) in _bad_docx(notice).items():
        with pytest.raises(BridgeError) as caught:
            check_docx(data)
        assert getattr(caught.value, "code", None) == code, name
        assert "\n" not in caught.value.message


def test_macro_enabled_content_type_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        package.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(BridgeError) as caught:
        check_docx(buffer.getvalue())
    assert caught.value.code == "macros_not_allowed"


def test_total_size_limit_catches_many_members(notice):
    with pytest.raises(BridgeError) as caught:
        check_docx(notice, max_uncompressed=10_000)
    assert caught.value.code == "zip_bomb"


def test_callers_wait_in_line_for_busy_workers(pool, notice):
    pool.wait_until_ready()
    callers = 2 + pool.queue_size  # every worker busy, the line full
    with ThreadPoolExecutor(callers) as executor:  # each caller comes back twice
        pdfs = list(executor.map(pool.convert, [notice] * 3 * callers))
    assert all(pdf.startswith(b"%PDF-") for pdf in pdfs)


def test_a_document_libreoffice_cannot_load_is_a_conversion_error(pool, notice):
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(notice))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for member in source.infolist():
            broken = member.filename == "word/document.xml"
            package.writestr(member, b"<<<garbage" if broken else source.read(member))
    check_docx(buffer.getvalue())  # it passes the screening
    with pytest.raises(ConversionError) as caught:
        pool.convert(buffer.getvalue())
    assert caught.value.code == "conversion_failed"
    assert caught.value.status == 422
    assert "Could not load document" in caught.value.message
    assert pool.convert(notice).startswith(b"%PDF-")


def test_a_hang_times_out_and_the_pool_goes_on(pool, notice):
    pool.wait_until_ready()
    pgids = pool.worker_pids()
    assert len(pgids) == 2
    with stopped(pgids):
        started = time.monotonic()
        with pytest.raises(ConversionTimeoutError) as caught:
            pool.convert(notice, timeout=2)
        elapsed = time.monotonic() - started
    assert elapsed < 2 + 5
    assert "within 2 s" in caught.value.message
    assert len(set(pool.worker_pids()) & set(pgids)) == 1  # the hung one is gone
    assert pool.convert(notice).startswith(b"%PDF-")
    pool.wait_until_ready()
    assert len(pool.worker_pids()) == 2


def test_a_crashed_worker_is_replaced(pool, notice):
    pool.wait_until_ready()
    victim, survivor = pool.worker_pids()
    os.killpg(victim, signal.SIGKILL)
    wait_for(lambda: victim not in pool.worker_pids())
    for _ in range(3):
        assert pool.convert(notice).startswith(b"%PDF-")
    pool.wait_until_ready()
    pids = pool.worker_pids()
    assert survivor in pids
    assert victim not in pids
    assert len(pids) == 2


def test_a_worker_is_replaced_after_its_conversion_budget(pool, notice):
    pool.wait_until_ready()
    before = set(pool.worker_pids())
    pool.restart_after = 1
    try:
        assert pool.convert(notice).startswith(b"%PDF-")
    finally:
        pool.restart_after = 200
    pool.wait_until_ready()
    after = set(pool.worker_pids())
    assert len(after) == 2
    assert len(before & after) == 1


def test_busy_pool_refuses_at_once_and_the_api_says_503(pool, notice, tmp_path):
    pool.wait_until_ready()
    endpoints = pool.endpoints()
    remote = UnoserverPool(endpoints=endpoints, queue_size=0, timeout=30)
    remote.wait_until_ready()
    app = create_app(
        {
            "HOME": str(tmp_path / "instance"),
            "CONVERSION_WORKERS": endpoints,
            "CONVERSION_QUEUE_SIZE": 0,
        }
    )
    with app.app_context():
        api_pool = converter()
    api_pool.wait_until_ready()
    results: list[bytes] = []
    with stopped(pool.worker_pids()):
        threads = [
            threading.Thread(target=lambda p=p: results.append(p.convert(notice)))
            for p in [remote] * len(endpoints) + [api_pool] * len(endpoints)
        ]
        for thread in threads:
            thread.start()
        wait_for(lambda: remote.status()["idle"] == api_pool.status()["idle"] == 0)
        with pytest.raises(ConverterBusyError) as caught:
            remote.convert(notice)
        assert caught.value.retry_after >= 1
        response = _convert(_signed(app), notice)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json["code"] == "converter_busy"
    for thread in threads:
        thread.join(60)
    assert len(results) == len(threads)
    assert all(pdf.startswith(b"%PDF-") for pdf in results)
    remote.close()
    api_pool.close()


def test_http_api_converts_and_rejects(pool, notice, tmp_path):
    pool.wait_until_ready()
    app = create_app(
        {"HOME": str(tmp_path / "instance"), "CONVERSION_WORKERS": pool.endpoints()}
    )
    client = _signed(app)
    response = _convert(client, notice)
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/pdf"
    assert TITLE in pdftotext(response.data)
    bad = _convert(client, b"not a docx")
    assert bad.status_code == 422
    assert bad.json["code"] == "invalid_docx"
    assert client.post("/api/v1/convert").json["code"] == "file_missing"
    unsigned = app.test_client().post(
        "/api/v1/convert", data={"file": (io.BytesIO(notice), "通知.docx")}
    )
    assert (unsigned.status_code, unsigned.json["code"]) == (401, "missing_credentials")


def test_cold_soffice_converts(notice, tmp_path):
    pdf = ColdSofficeConverter(folder=tmp_path).convert(notice)
    check_pdf_fonts(pdf)
    assert TITLE in pdftotext(pdf)


def test_cold_soffice_is_killed_as_a_group_on_timeout(notice, tmp_path):
    converter = ColdSofficeConverter(folder=tmp_path)
    caught: list[Exception] = []

    def run():
        try:
            converter.convert(notice, timeout=3)
        except ConversionTimeoutError as exc:
            caught.append(exc)

    def running() -> bool:
        found = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True)
        return found.returncode == 0

    thread = threading.Thread(target=run)
    thread.start()
    wait_for(running, 10)
    # Freeze the whole group: a hang LibreOffice cannot get out of by itself.
    os.killpg(os.getpgid(_pids(tmp_path)[0]), signal.SIGSTOP)
    thread.join(30)
    assert caught
    assert "within 3 s" in caught[0].message
    assert not running()


def _pids(tmp_path) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-f", str(tmp_path)], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in found.split()]


def test_text_without_a_covering_font_is_caught(tmp_path):
    no_cjk = (
        '<?xml version="1.0"?><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    pdf = ColdSofficeConverter(folder=tmp_path, fontconfig=no_cjk).convert(
        chinese_docx(1)
    )
    with pytest.raises(FontCheckError) as caught:
        check_pdf_fonts(pdf)
    assert caught.value.code == "missing_glyphs"
    assert "boxes" in caught.value.message


def test_cli_convert_writes_the_pdf_and_rejects_bad_input(cli, notice, tmp_path):
    source = tmp_path / "通知.docx"
    source.write_bytes(notice)
    target = tmp_path / "通知.pdf"
    result = cli("convert", str(source), str(target), "--backend", "soffice")
    assert result.exit_code == 0, result.output
    assert TITLE in pdftotext(target.read_bytes())
    assert source.read_bytes() == notice
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 broken")
    result = cli("convert", str(bad), str(tmp_path / "bad.pdf"))
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ")
    assert line.endswith("[invalid_docx]")
    assert not (tmp_path / "bad.pdf").exists()


def processes_using(folder) -> list[int]:
    """Processes whose command line names ``folder`` (unoserver, LibreOffice)."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if entry.name.isdigit() and str(folder).encode() in cmdline:
            pids.append(int(entry.name))
    return pids


def test_a_remote_conversion_worker_serves_the_bridge_and_looks_after_itself(
    notice, tmp_path, monkeypatch
):
    """``sealbridge conversion-worker`` in a process of its own, named (as an
    operator would) in ``SEALBRIDGE_CONVERSION_WORKERS``."""
    port, uno_port = free_ports(2)
    endpoint = f"127.0.0.1:{port}"
    monkeypatch.setenv("SEALBRIDGE_CONVERSION_WORKERS", endpoint)
    app = create_app(
        {"HOME": str(tmp_path / "bridge"), "CONVERSION_TIMEOUT_SECONDS": 3}
    )
    client = _signed(app)

    def convert():
        return _convert(client, notice)

    down = convert()  # nothing listens there yet
    assert down.status_code == 503
    assert down.json["code"] == "converter_unavailable"
    assert endpoint in down.json["message"]

    home = tmp_path / "worker"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from bridge.cli import main; main()",
            "--home",
            str(home),
            "conversion-worker",
            "--port",
            str(port),
            "--uno-port",
            str(uno_port),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with app.app_context():
            pool = converter()
        pool.wait_until_ready()
        response = convert()
        assert response.status_code == 200, response.json
        assert TITLE in pdftotext(response.data)

        # LibreOffice crashes: the worker starts it again on the same port.
        libreoffice = [
            pid
            for pid in processes_using(home)
            if b"soffice" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert libreoffice
        for pid in libreoffice:
            os.kill(pid, signal.SIGKILL)
        probe = UnoserverPool(endpoints=[endpoint], timeout=30)
        wait_for(lambda: not set(libreoffice) & set(processes_using(home)))
        probe.wait_until_ready()
        assert probe.convert(notice).startswith(b"%PDF-")
        probe.close()
        assert convert().status_code == 200

        pool.close()  # a bridge never stops a remote worker
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert worker.returncode == 0
    wait_for(lambda: not processes_using(home))  # LibreOffice went with it


HIDDEN_CHECK = """
import inspect, runpy, sys
from unoserver import converter, server
shim = runpy.run_path(sys.argv[1], run_name="shim")
calls = []
class Desktop:
    def loadComponentFromURL(self, *arguments):
        calls.append(arguments)
    def terminate(self):
        return "terminated"
desktop = shim["_HiddenLoads"](Desktop())
desktop.loadComponentFromURL("file:///x.docx", "_default", 0, ())
assert [(p.Name, p.Value) for p in calls[0][3]] == [("Hidden", True)], calls
assert desktop.terminate() == "terminated"
# The shim swaps the class the server looks up when it connects.
assert "converter.UnoConverter(" in inspect.getsource(server.UnoServer.serve)
"""


def test_workers_open_documents_hidden(tmp_path):
    python = uno_python()
    command = server_command(
        python, tmp_path, interface="127.0.0.1", port=1, uno_port=2
    )
    assert command[1:3] == [
        "-P",
        str(Path(unoserver_pool.__file__).parent / "hidden_unoserver.py"),
    ]
    check = subprocess.run(
        [python, "-c", HIDDEN_CHECK, command[2]],
        env=server_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr
