"""OA end to end over real HTTP: the sandbox, the bridge, node actions, Stamp.

The sandbox and the bridge each run on loopback; the sandbox's node actions
call the bridge's /soap/oa, the bridge pushes results back through its outbox
(dispatched here, as the scheduler of ``serve`` would), and a real Chromium
clicks Stamp in the OA form.
"""

from __future__ import annotations

import io
import re

import pytest
import requests
import zeep
from docx import Document

from bridge import create_app
from bridge.outbox.dispatch import dispatch_due
from bridge.services.official_documents import layout_check
from oa_plugin.ticket import make_ticket
from tests.browser import chromium
from tests.oa import OA_USER, main_table, sandbox_server
from tests.pdfs import chinese_pdf, pdfsig, red_fraction
from tests.wsgi_server import LoopbackServer, free_port

TICKETS = "oa-ticket-secret"
BODY = (
    "为贯彻落实集团数字化转型部署，提高汽车金融业务办理效率，经集团研究决定，"
    "在全集团范围内全面推行汽车金融业务电子签约。"
)


@pytest.fixture
def world(home, seal_names, tmp_path):
    """The bridge and the sandbox on loopback, each configured with the other."""
    bridge_port, sandbox_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    oa = {
        "url": sandbox_url,
        "login": "sealbridge",
        "password": "oa-pass",
        "users": dict([OA_USER]),
        "ticket_secret": TICKETS,
        "frame_origins": [sandbox_url],
        "seals": {
            "official": [seal_names["official"]],
            "contract": [seal_names["contract"], seal_names["dealer"]],
        },
        "stampers": {"6": ["official", "contract"]},
    }
    app = create_app({"HOME": str(home), "OA": oa, "CONVERTER": "soffice"})
    bridge = LoopbackServer(app, bridge_port).start()
    sandbox = sandbox_server(
        tmp_path / "ecology",
        bridge_url=bridge.url,
        port=sandbox_port,
        ticket_secret=TICKETS,
    )
    yield app, bridge, sandbox
    sandbox.stop()
    bridge.stop()


def _workflow(sandbox):
    return zeep.Client(f"{sandbox.url}/services/WorkflowService?wsdl").service


def _fields(sandbox, request_id: int) -> tuple[str, dict]:
    info = _workflow(sandbox).getWorkflowRequest(request_id, 1, 0)
    record = info.workflowMainTableInfo.requestRecords.WorkflowRequestTableRecord[0]
    items = record.workflowRequestTableFields.WorkflowRequestTableField
    return info.currentNodeName, {i.fieldName: i.fieldValue for i in items}


def _pushback(app) -> None:
    with app.app_context():
        assert dispatch_due().delivered == 1


def _doc_pdf(sandbox, docid: str) -> bytes:
    engine = sandbox.app.extensions["ecology"]
    return engine.store.one("SELECT content FROM files WHERE docid = ?", int(docid))[
        "content"
    ]


def _drafted_docx() -> bytes:
    draft = Document()
    for _ in range(3):
        draft.add_paragraph(BODY)
    buffer = io.BytesIO()
    draft.save(buffer)
    return buffer.getvalue()


def _verified(pdf: bytes, tmp_path, nss_db) -> None:
    path = tmp_path / "from-oa.pdf"
    path.write_bytes(pdf)
    (signature,) = pdfsig(path, nss_db)
    assert signature["Signature Validation"] == "Signature is Valid."
    assert signature["Certificate Validation"] == "Certificate is Trusted."


@pytest.mark.slow
def test_official_document_is_numbered_headed_and_stamped_in_the_browser(
    world, tmp_path, nss_db
):
    pytest.importorskip("playwright.sync_api")
    app, _bridge, sandbox = world
    service = _workflow(sandbox)
    info = main_table(
        101,
        "关于全面推行电子签约的通知",
        {"zw": ("通知.docx", _drafted_docx())},
        bt="关于全面推行汽车金融业务电子签约的通知",
        fwjg="中国重型汽车集团有限公司",
        jgdz="重汽发",
        zs="各经销商；集团各部门",
        yfjg="中国重型汽车集团有限公司办公室",
        cwrq="2026-11-29",
        mb="文件",
    )
    request_id = int(service.doCreateWorkflowRequest(info, 2))
    assert request_id > 0
    for user in (3, 4):  # 核稿, 签发
        assert (
            service.submitWorkflowRequest(None, request_id, user, "submit", "同意")
            == "success"
        )
    # 编号 → 套红: the node action asks the bridge for the number and red header.
    assert service.submitWorkflowRequest(None, request_id, 5, "submit", "") == "success"
    node, fields = _fields(sandbox, request_id)
    assert node == "套红"
    assert re.fullmatch(r"重汽发〔2026〕\d+号", fields["wh"])

    _pushback(app)  # the red-header PDF into zwpdf; 套红 → 用印 (seal task)
    node, fields = _fields(sandbox, request_id)
    assert node == "用印"
    assert fields["yzzt"] == "待用印"

    with chromium() as browser:
        page = browser.new_page()
        form = f"/workflow/request/ViewRequest.jsp?requestid={request_id}"
        page.goto(f"{sandbox.url}/login.jsp?userid=6&next={form}")
        page.click("#sealbridge-stamp-button")
        frame = page.frame_locator("#sealbridge-stamp-frame")
        frame.locator("#confirm").click()
        frame.locator("#result[data-state=sealed]").wait_for(timeout=60_000)
        page.locator("#sealbridge-stamp").get_by_text("已盖章").wait_for()

        _pushback(app)  # the sealed PDF into gzfj; 用印 → 分发
        page.reload()
        assert page.inner_text("#current-node") == "分发"
        link = page.locator("tr[data-field=gzfj] a.attachment")
        assert link.count() == 1
        sealed = requests.get(
            sandbox.url + link.get_attribute("href"), timeout=10
        ).content

    _verified(sealed, tmp_path, nss_db)
    with app.app_context():
        report = layout_check(sealed)
    failures = [r.rule for r in report.rules if r.passed is False]
    assert not failures
    assert {r.rule: r.passed for r in report.rules}["seal_position"] is True
    node, fields = _fields(sandbox, request_id)
    assert fields["yzzt"] == "已盖章"
    assert _doc_pdf(sandbox, fields["zwpdf"]) != sealed  # the unsealed one stays


def test_seal_application_is_stamped_through_the_rest_endpoint(
    world, tmp_path, nss_db, seal_names
):
    app, bridge, sandbox = world
    service = _workflow(sandbox)
    info = main_table(
        102,
        "用印申请-张三-购车合同",
        {"fj": ("购车合同.pdf", chinese_pdf(2))},
        sqr="张三",
        htmc="购车合同",
        yzlx="contract",
        gzwz="甲方（盖章）",
    )
    request_id = int(service.doCreateWorkflowRequest(info, 2))
    assert (
        service.submitWorkflowRequest(None, request_id, 3, "submit", "同意")
        == "success"
    )
    assert _fields(sandbox, request_id)[0] == "用印"

    url = f"{bridge.url}/api/v1/oa/stamp"
    ticket = make_ticket(TICKETS, 6, request_id, "用印")
    refused = {
        "forged": (make_ticket("other", 6, request_id, "用印"), seal_names["contract"]),
        "seal_not_allowed": (ticket, seal_names["official"]),
        "not_a_stamper": (
            make_ticket(TICKETS, 3, request_id, "用印"),
            seal_names["contract"],
        ),
    }
    codes = {
        name: requests.post(url, json={"ticket": t, "seal": s}, timeout=10).json()[
            "code"
        ]
        for name, (t, s) in refused.items()
    }
    assert codes == {
        "forged": "invalid_ticket",
        "seal_not_allowed": "seal_not_allowed",
        "not_a_stamper": "seal_not_allowed",
    }
    not_json = requests.post(url, data=b"{", timeout=10)
    assert (not_json.status_code, not_json.json()["code"]) == (400, "invalid_input")
    bad_page = requests.get(f"{bridge.url}/oa/stamp?ticket=x.y", timeout=10)
    assert bad_page.status_code == 401
    assert 'data-code="invalid_ticket"' in bad_page.text
    page = requests.get(f"{bridge.url}/oa/stamp", params={"ticket": ticket}, timeout=10)
    assert f"frame-ancestors {sandbox.url}" in page.headers["Content-Security-Policy"]
    assert seal_names["dealer"] in page.text
    assert seal_names["official"] not in page.text

    preview = requests.get(
        f"{bridge.url}/oa/stamp/preview",
        params={"ticket": ticket, "seal": seal_names["contract"]},
        timeout=30,
    )
    assert preview.headers["Content-Type"] == "image/png"
    (tmp_path / "preview.png").write_bytes(preview.content)
    # The keyword is drawn at (300, 100) pt: about (450, 990) px at 96 dpi.
    assert red_fraction(tmp_path / "preview.png", (390, 930, 510, 1050)) > 0.05
    assert red_fraction(tmp_path / "preview.png", (0, 0, 790, 600)) == 0

    answer = requests.post(
        url, json={"ticket": ticket, "seal": seal_names["contract"]}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "sealed"
    again = requests.post(
        url, json={"ticket": ticket, "seal": seal_names["contract"]}, timeout=10
    )
    assert (again.status_code, again.json()["code"]) == (409, "task_sealed")

    _pushback(app)
    node, fields = _fields(sandbox, request_id)
    assert node == "归档"
    assert fields["yzzt"] == "已盖章"
    _verified(_doc_pdf(sandbox, fields["gzfj"]), tmp_path, nss_db)
