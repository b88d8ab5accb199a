"""In Chromium: a dealer store logs in to the dashboard with the code from the
dev SMS inbox, sees its counts, and watches a recall arrive live over SSE
(another store's event never shows); anyone verifies a sealed PDF on /verify.
Screenshots of every step are kept under the test's tmp dir."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from bridge import create_app
from bridge.extensions import db
from bridge.models import ApiApp
from bridge.services import contracts
from bridge.services.apps import create_api_app
from bridge.services.audit import Actor
from tests.browser import chromium
from tests.dashboard_data import completed_copy
from tests.pdfs import chinese_pdf
from tests.signer_contracts import create_loan
from tests.wsgi_server import free_port, waitress_server

pytestmark = [
    pytest.mark.database,
    pytest.mark.skipif(
        shutil.which("chromium") is None, reason="Debian's chromium is not installed"
    ),
]

DEALER = "13600000002"
DESKTOP = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN"}


@pytest.fixture
def bridge(home, cli):
    port = free_port()
    app = create_app(
        {
            "HOME": str(home),
            "DEMO": True,
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "DASHBOARD_STREAM_SECONDS": 5,  # the browser reconnects meanwhile
        }
    )
    added = cli(
        "dashboard-users", "add", "--mobile", DEALER, "--name", "济南李四",
        "--role", "dealer", "--tenant", "JN001",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    with app.app_context():
        app.stores = {}
        for tenant, name in (("JN001", "经销商甲"), ("QD002", "经销商乙")):
            api_app = create_api_app(name, tenant)[0]
            app.stores[tenant] = (api_app.id, create_loan(api_app, f"{tenant}-1").id)
    with waitress_server(app, port) as base:
        app.base_url = base
        yield app


def _recall(bridge, tenant: str) -> str:
    app_id, contract_id = bridge.stores[tenant]
    with bridge.app_context():
        api_app = db.session.get(ApiApp, app_id)
        contracts.recall_contract(api_app, contract_id, Actor("finance"), "客户放弃")
    return contract_id


def _code_from_inbox(context, base: str) -> str:
    inbox = context.new_page()
    inbox.goto(f"{base}/dev/sms?mobile={DEALER}")
    text = inbox.locator("#sms").inner_text()
    inbox.close()
    return re.findall(r"验证码 (\d{6})", text)[0]


def test_a_dealer_watches_its_contracts_live(bridge, tmp_path):
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with chromium() as browser:
        context = browser.new_context(**DESKTOP)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{bridge.base_url}/dashboard/")
        assert page.url.endswith("/dashboard/login")
        page.fill("#mobile", DEALER)
        page.click("#send-code")
        expect(page.locator("#error")).to_contain_text("验证码已发送")
        page.fill("#code", _code_from_inbox(context, bridge.base_url))
        page.screenshot(path=str(shots / "1-login.png"))
        page.click("#submit")
        page.wait_for_url("**/dashboard/")
        assert page.locator('[data-status="SIGNING"]').inner_text() == "1"
        assert page.locator("#stuck tbody tr").count() == 1
        expect(page.locator("#live-state")).to_contain_text("已连接")
        page.screenshot(path=str(shots / "2-overview.png"))

        _recall(bridge, "QD002")  # another store: never shown here
        mine = _recall(bridge, "JN001")
        page.wait_for_selector(f'#live li[data-contract="{mine}"]')
        expect(page.locator('[data-status="RECALLED"]')).to_have_text("1")
        assert page.locator("#live li").count() == 1
        assert "撤回" in page.locator("#live li").first.inner_text()
        assert page.locator('[data-status="SIGNING"]').inner_text() == "0"
        expect(page.locator("#stuck tbody tr")).to_have_count(0)
        page.screenshot(path=str(shots / "3-live-event.png"))

        with bridge.app_context():
            for hours, days_ago in ((30, 15), (6, 8), (2, 1)):  # getting quicker
                completed_copy(mine, hours, days_ago)
        page.click("text=签署周期")
        expect(page.locator("g.bar")).to_have_count(5)  # category, store, 3 weeks
        page.screenshot(path=str(shots / "4-cycle-times.png"), full_page=True)
        context.close()
    assert len(list(shots.glob("*.png"))) == 4


def test_anyone_verifies_a_sealed_pdf(bridge, tmp_path, seal_file, seal_names):
    source, sealed = tmp_path / "in.pdf", tmp_path / "合同.pdf"
    source.write_bytes(chinese_pdf(2))
    seal_file(source, sealed, seal_names["contract"], "--x", "300", "--y", "300")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with chromium() as browser:
        page = browser.new_page(**DESKTOP)
        page.goto(f"{bridge.base_url}/verify/")
        page.set_input_files("#file", str(sealed))
        page.screenshot(path=str(shots / "1-choose.png"))
        page.click("#verify")
        verdict = page.wait_for_selector("#verdict")
        assert verdict.get_attribute("data-indication") == "PASSED"
        assert "验证通过" in verdict.inner_text()
        signature = page.locator(".signature").first.inner_text()
        assert "重汽汽车金融有限公司" in signature
        assert "(UTC+8)" in signature
        page.screenshot(path=str(shots / "2-passed.png"), full_page=True)
        page.goto(f"{bridge.base_url}/verify/")
        not_pdf = tmp_path / "note.pdf"
        not_pdf.write_text("这不是PDF")
        page.set_input_files("#file", str(not_pdf))
        page.click("#verify")
        assert "不是有效的PDF" in page.locator("#problem").inner_text()
        page.screenshot(path=str(shots / "3-not-a-pdf.png"))
