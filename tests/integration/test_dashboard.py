"""The dashboard: SMS-code and OA logins, each dealer store within its own
tenant (pages, live stream, failed deliveries), head office everywhere and
the only one to retry; the public verification page; CSP without inline
scripts on every page."""

from __future__ import annotations

import io
import re
import threading
import time

import pytest
import requests
from sqlalchemy import event

from bridge import create_app
from bridge.dashboard.event_feed import EventFeed
from bridge.extensions import db
from bridge.models import Contract, OutboxMessage
from bridge.services import dashboard
from bridge.services.apps import create_api_app
from bridge.services.audit import Actor, record_event
from bridge.services.dashboard import Viewer
from oa_plugin.ticket import make_login_ticket, make_ticket
from tests.completed_contracts import (
    BORROWER_ID,
    create_signed_contract,
    store_clients,
)
from tests.dashboard_data import completed_copy
from tests.oa import sandbox_server
from tests.pdfs import chinese_pdf
from tests.signer_contracts import create_loan, latest_code, texts_to

pytestmark = pytest.mark.database

HQ, JN, QD = "13600000001", "13600000002", "13600000003"
SECRET = "oa-ticket-secret"
PAGES = (
    "/dashboard/",
    "/dashboard/cycle-times",
    "/dashboard/archive",
    "/dashboard/deliveries",
)


@pytest.fixture
def bridge(home, cli):
    app = create_app(
        {
            "HOME": str(home),
            "DASHBOARD_STREAM_SECONDS": 0.5,
            "DASHBOARD_POLL_SECONDS": 0.1,
            "OA": {"ticket_secret": SECRET},
        }
    )
    for mobile, name, role, tenant in (
        (HQ, "总部张三", "head_office", None),
        (JN, "济南李四", "dealer", "JN001"),
        (QD, "青岛王五", "dealer", "QD002"),
    ):
        args = ["--mobile", mobile, "--name", name, "--role", role]
        args += ["--tenant", tenant] if tenant else ["--oa-user", "6"]
        added = cli("dashboard-users", "add", *args)
        assert added.exit_code == 0, added.output
    with app.app_context():
        app.loans = {}
        for tenant, name in (("JN001", "经销商甲"), ("QD002", "经销商乙")):
            api_app = create_api_app(name, tenant)[0]
            app.loans[tenant] = create_loan(api_app, f"{tenant}-LOAN").id
    return app


def _csrf(client, path="/dashboard/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'(?:data-csrf|name="csrf_token" value)="([^"]+)"', page)
    return found[1]


def _json_headers(client) -> dict:
    return {"X-CSRF-Token": _csrf(client), "Accept": "application/json"}


def log_in(bridge, mobile):
    client = bridge.test_client()
    headers = _json_headers(client)
    sent = client.post(
        "/dashboard/login/code", json={"mobile": mobile}, headers=headers
    )
    assert sent.status_code == 200, sent.get_json()
    with bridge.app_context():
        code = latest_code(mobile)
    answer = client.post(
        "/dashboard/login", json={"mobile": mobile, "code": code}, headers=headers
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["redirect"] == "/dashboard/"
    return client


def test_pages_need_a_login_and_a_known_mobile_gets_no_code(bridge):
    client = bridge.test_client()
    for path in PAGES:
        assert client.get(path).headers["Location"].endswith("/dashboard/login")
    assert client.get("/dashboard/events").status_code == 401
    headers = _json_headers(client)
    stranger = "13900000009"
    sent = client.post(
        "/dashboard/login/code", json={"mobile": stranger}, headers=headers
    )
    assert sent.status_code == 200  # the same answer as for a user...
    with bridge.app_context():
        assert texts_to(stranger) == []  # ...but no text
    refused = client.post(
        "/dashboard/login", json={"mobile": stranger, "code": "123456"}, headers=headers
    )
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "otp_missing"


def test_wrong_codes_lock_the_login_and_sending_is_limited(bridge):
    client = bridge.test_client()
    headers = _json_headers(client)
    assert (
        client.post(
            "/dashboard/login/code", json={"mobile": JN}, headers=headers
        ).status_code
        == 200
    )
    again = client.post("/dashboard/login/code", json={"mobile": JN}, headers=headers)
    assert again.status_code == 429
    assert again.get_json()["code"] == "otp_rate_limited"
    assert int(again.headers["Retry-After"]) > 0
    with bridge.app_context():
        code = latest_code(JN)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [
        client.post(
            "/dashboard/login", json={"mobile": JN, "code": wrong}, headers=headers
        )
        for _ in range(5)
    ]
    assert answers[0].status_code == 422
    assert answers[0].get_json()["message"] == "验证码错误，还可尝试4次。"
    assert answers[-1].status_code == 423
    assert answers[-1].get_json()["code"] == "otp_locked"
    right = client.post(
        "/dashboard/login", json={"mobile": JN, "code": code}, headers=headers
    )
    assert right.status_code == 423  # locked, even with the right code
    assert client.get("/dashboard/").status_code == 302


def _counts(page: str) -> dict[str, int]:
    return {
        status: int(n) for status, n in re.findall(r'data-status="(\w+)">(\d+)<', page)
    }


def test_a_dealer_sees_only_its_own_contracts(bridge):
    jn, qd = bridge.loans["JN001"], bridge.loans["QD002"]
    dealer = log_in(bridge, JN).get("/dashboard/").get_data(as_text=True)
    assert jn in dealer
    assert "JN001-LOAN" in dealer
    assert qd not in dealer
    assert "QD002-LOAN" not in dealer
    assert _counts(dealer)["SIGNING"] == 1
    row = re.search(rf'<tr data-contract="{jn}">(.*?)</tr>', dealer, re.S)[1]
    assert "王小明（borrower）" in row  # whose turn it is
    office = log_in(bridge, HQ)
    page = office.get("/dashboard/").get_data(as_text=True)
    assert _counts(page)["SIGNING"] == 2
    assert re.findall(r'<tr data-contract="(\w+)">', page) == [jn, qd]  # oldest first
    assert office.get("/dashboard/counts").get_json()["SIGNING"] == 2


def _events(client, **query) -> list[str]:
    answer = client.get("/dashboard/events", query_string=query)
    assert answer.status_code == 200
    assert answer.mimetype == "text/event-stream"
    return re.findall(r'"contractId": "(\w+)"', answer.get_data(as_text=True))


def test_the_live_stream_keeps_to_the_viewers_tenant(bridge):
    jn, qd = bridge.loans["JN001"], bridge.loans["QD002"]
    dealer = log_in(bridge, JN)
    assert set(_events(dealer, after=0)) == {jn}
    office = log_in(bridge, HQ)
    assert set(_events(office, after=0)) == {jn, qd}
    assert _events(office) == []  # a new stream starts after the newest event
    stream = office.get("/dashboard/events", query_string={"after": 0})
    last = re.findall(r"^id: (\d+)$", stream.get_data(as_text=True), re.M)[-1]
    resumed = office.get("/dashboard/events", headers={"Last-Event-ID": last})
    assert "event: contract" not in resumed.get_data(as_text=True)
    assert office.get("/dashboard/events?after=x").status_code == 400


def _kill_webhooks(bridge) -> dict[str, int]:
    """One dead callback per contract, as after the receiver was down for days."""
    with bridge.app_context():
        dead = {}
        for tenant, contract_id in bridge.loans.items():
            message = OutboxMessage(
                app_id=db.session.get(Contract, contract_id).app_id,
                event_type="contract.sent",
                subject_id=contract_id,
                payload={"contractId": contract_id},
                status="dead",
                attempts=12,
                last_error="HTTP 502 from the finance system",
            )
            db.session.add(message)
            db.session.flush()
            dead[tenant] = message.id
        db.session.commit()
        return dead


def _dead_rows(client) -> list[int]:
    page = client.get("/dashboard/deliveries").get_data(as_text=True)
    return [int(n) for n in re.findall(r'<tr data-message="(\d+)">', page)]


def test_only_head_office_retries_and_dealers_see_their_own_failures(bridge):
    dead = _kill_webhooks(bridge)
    dealer = log_in(bridge, JN)
    assert _dead_rows(dealer) == [dead["JN001"]]
    page = dealer.get("/dashboard/deliveries").get_data(as_text=True)
    assert "重试" not in page
    csrf = _csrf(dealer, "/dashboard/deliveries")
    for message_id in dead.values():
        refused = dealer.post(
            f"/dashboard/deliveries/{message_id}/retry", data={"csrf_token": csrf}
        )
        assert refused.status_code == 403
        assert "仅总部用户可以执行此操作" in refused.get_data(as_text=True)
    office = log_in(bridge, HQ)
    assert sorted(_dead_rows(office)) == sorted(dead.values())
    target = f"/dashboard/deliveries/{dead['QD002']}/retry"
    assert office.post(target).status_code == 403  # no CSRF token
    csrf = _csrf(office, "/dashboard/deliveries")
    retried = office.post(target, data={"csrf_token": csrf})
    assert retried.status_code == 302
    assert _dead_rows(office) == [dead["JN001"]]
    again = office.post(target, data={"csrf_token": csrf})
    assert again.status_code == 409
    with bridge.app_context():
        assert db.session.get(OutboxMessage, dead["QD002"]).status == "pending"
        assert db.session.get(OutboxMessage, dead["JN001"]).status == "dead"


def _complete(bridge, tenant, hours: float, days_ago: float = 1) -> None:
    with bridge.app_context():
        completed_copy(bridge.loans[tenant], hours, days_ago)


def _bars(page: str) -> dict[str, tuple[str, str]]:
    return {
        label: (median, p90)
        for label, median, p90 in re.findall(
            r'data-label="([^"]+)" data-median="([^"]+)" data-p90="([^"]+)"', page
        )
    }


def test_cycle_times_per_category_and_dealer(bridge):
    for hours in (1, 2, 3):
        _complete(bridge, "JN001", hours)
    _complete(bridge, "QD002", 24 * 5)
    _complete(bridge, "QD002", 1, days_ago=60)  # outside the default 30 days
    office = log_in(bridge, HQ).get("/dashboard/cycle-times").get_data(as_text=True)
    bars = _bars(office)
    assert bars["经销商甲 (JN001)"] == ("2小时0分", "2小时48分")
    assert bars["经销商乙 (QD002)"] == ("5.0天", "5.0天")
    assert bars["借款合同"][0] == "2小时30分"  # median of 1, 2, 3, 120 hours
    weeks = dict(re.findall(r'data-label="(\S+ 当周)"[^>]*?data-count="(\d+)"', office))
    assert sum(int(n) for n in weeks.values()) == 4  # the trend: one bar a week
    assert "<script" not in office.split("<main>")[1].split("</main>")[0]
    dealer = log_in(bridge, JN)
    mine = _bars(dealer.get("/dashboard/cycle-times").get_data(as_text=True))
    assert {k for k in mine if "当周" not in k} == {"借款合同", "经销商甲 (JN001)"}
    assert mine["借款合同"] == ("2小时0分", "2小时48分")
    longer = dealer.get("/dashboard/cycle-times?from=2000-01-01")
    assert _bars(longer.get_data(as_text=True))["借款合同"][0] == "2小时0分"
    bad = dealer.get("/dashboard/cycle-times?from=yesterday")
    assert bad.status_code == 400
    assert "日期格式" in bad.get_data(as_text=True)


def test_oa_single_sign_on_with_a_single_use_ticket(bridge):
    client = bridge.test_client()
    ticket = make_login_ticket(SECRET, 6)
    entered = client.get("/dashboard/sso", query_string={"ticket": ticket})
    assert entered.headers["Location"].endswith("/dashboard/")
    assert "总部张三" in client.get("/dashboard/").get_data(as_text=True)
    for refused in (
        ticket,  # used once already
        make_login_ticket("another secret", 6),
        make_login_ticket(SECRET, 7),  # no dashboard user
        make_login_ticket(SECRET, 6, ttl=-1),
        make_ticket(SECRET, 6, 1001, "seal"),  # a stamp ticket
    ):
        stranger = bridge.test_client()
        answer = stranger.get("/dashboard/sso", query_string={"ticket": refused})
        assert answer.status_code == 401
        assert "OA单点登录失败" in answer.get_data(as_text=True)
        assert stranger.get("/dashboard/").status_code == 302


def test_the_oa_sandbox_signs_users_in(bridge, tmp_path):
    """The e-cology sandbox's desk link: the OA side makes the ticket."""
    oa = sandbox_server(
        tmp_path / "ecology", bridge_url="http://bridge.test", ticket_secret=SECRET
    )
    try:
        hop = requests.get(
            f"{oa.url}/sealbridge/dashboard",
            cookies={"ecology_userid": "6"},
            allow_redirects=False,
            timeout=10,
        )
    finally:
        oa.stop()
    assert hop.status_code == 302
    target = hop.headers["Location"]
    assert target.startswith("http://bridge.test/dashboard/sso?ticket=")
    client = bridge.test_client()
    entered = client.get(target.removeprefix("http://bridge.test"))
    assert entered.headers["Location"].endswith("/dashboard/")
    assert "总部张三" in client.get("/dashboard/").get_data(as_text=True)


def _assert_strict(answer) -> None:
    policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "default-src 'none'" in policy
    html = answer.get_data(as_text=True)
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert 'src="/' in attributes
        assert not body.strip()
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline handlers


def test_every_page_has_a_strict_csp_without_inline_scripts(bridge):
    office = log_in(bridge, HQ)
    _kill_webhooks(bridge)
    for path in (*PAGES, "/dashboard/login", "/verify/"):
        answer = office.get(path)
        assert answer.status_code == 200, path
        _assert_strict(answer)
        assert not re.search(r'(src|href)="(https?:)?//', answer.get_data(as_text=True))


def _verify(client, data: bytes, name="contract.pdf"):
    return client.post(
        "/verify/",
        data={
            "csrf_token": _csrf(client, "/verify/"),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def _problem(answer) -> str:
    return re.search(r'id="problem"[^>]*>([^<]+)<', answer.get_data(as_text=True))[1]


def test_the_public_verification_page(home, tmp_path, seal_file, seal_names):
    # Small limits: the test client leaves bodies over 500 KB in open files.
    app = create_app({"HOME": str(home), "MAX_UPLOAD_BYTES": 200 * 1024})
    client = app.test_client()
    source, sealed = tmp_path / "in.pdf", tmp_path / "sealed.pdf"
    source.write_bytes(chinese_pdf(1))
    seal_file(source, sealed, seal_names["contract"], "--x", "300", "--y", "300")
    report = _verify(client, sealed.read_bytes())
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert 'id="verdict" data-indication="PASSED"' in html
    assert "验证通过" in html
    assert "重汽汽车金融有限公司" in html
    unsigned = _verify(client, chinese_pdf(1)).get_data(as_text=True)
    assert 'data-indication="NO_SIGNATURE_FOUND"' in unsigned
    assert "该PDF文件中没有找到任何电子签名" in unsigned
    cases = [
        (b"", 400, "请选择要验证的PDF文件。"),
        (b"PK\x03\x04 not a pdf", 422, "该文件不是有效的PDF文件，无法验证。"),
        (chinese_pdf(1, encrypt="secret"), 422, "该PDF已加密"),
        (b"%PDF-1.7\n" + b"0" * (250 * 1024), 413, "文件过大，最大200KB。"),
        (b"%PDF-1.7\n" + b"0" * (400 * 1024), 413, "文件过大，最大200KB。"),
    ]
    for data, status, text in cases:
        answer = _verify(client, data)
        assert answer.status_code == status
        assert _problem(answer).startswith(text)


def test_the_cli_refuses_incomplete_or_duplicate_users(bridge, cli):
    def add(*args):
        return cli("dashboard-users", "add", "--name", "某人", *args)

    for args, problem in (
        (["--mobile", "13600000009", "--role", "dealer"], "tenant: is required"),
        (
            ["--mobile", "13600000009", "--role", "head_office", "--tenant", "X"],
            "tenant: is for dealers only",
        ),
        (["--mobile", "1360000", "--role", "head_office"], "mobile:"),
        (["--mobile", JN, "--role", "head_office"], "[dashboard_user_exists]"),
        (
            ["--mobile", "13600000009", "--role", "head_office", "--oa-user", "6"],
            "[dashboard_user_exists]",
        ),
    ):
        refused = add(*args)
        assert refused.exit_code == 2
        assert problem in refused.output
    assert add("--mobile", "13600000009", "--role", "head_office").exit_code == 0


def _search(client, **fields):
    token = _csrf(client, "/dashboard/archive")
    return client.post("/dashboard/archive", data={"csrf_token": token, **fields})


def test_the_archive_finds_a_stores_own_contracts_and_gives_their_evidence(bridge):
    apis = store_clients(bridge)
    ours = create_signed_contract(bridge, apis["JN001"], "JN-ARCH-1")
    theirs = create_signed_contract(bridge, apis["QD002"], "QD-ARCH-1")
    jinan, office = log_in(bridge, JN), log_in(bridge, HQ)

    found = _search(jinan, id_number=BORROWER_ID)
    assert found.status_code == 200
    rows = re.findall(r'data-contract="([0-9a-f]+)"', found.get_data(as_text=True))
    assert rows == [ours["id"]]
    results = found.get_data(as_text=True).split('id="archived"', 1)[1]
    assert BORROWER_ID not in results
    everyone = _search(office, id_number=BORROWER_ID)
    rows = re.findall(r'data-contract="([0-9a-f]+)"', everyone.get_data(as_text=True))
    assert set(rows) == {ours["id"], theirs["id"]}
    forged = jinan.post("/dashboard/archive", data={"id_number": BORROWER_ID})
    assert forged.status_code in (400, 403)  # no CSRF token, no search

    report = jinan.get(f"/dashboard/contracts/{ours['id']}/evidence-report")
    assert report.status_code == 200
    assert report.mimetype == "application/pdf"
    assert report.data.startswith(b"%PDF")
    hidden = jinan.get(f"/dashboard/contracts/{theirs['id']}/evidence-report")
    assert hidden.status_code == 404


def test_live_streams_share_one_reader_of_new_events(bridge):
    """Eight dashboards watching cost about one query a poll, not eight; each
    still sees exactly its own tenant's new events."""
    viewers = [Viewer(True, None)] * 4 + [Viewer(False, "JN001")] * 4
    feed = EventFeed(poll_seconds=0.05)
    seen: list[list[str]] = [[] for _ in viewers]
    reads = []
    stop = threading.Event()

    def watch(slot: int) -> None:
        with bridge.app_context():
            cursor = dashboard.last_event_id(viewers[slot])
            while not stop.is_set():
                events, cursor = feed.after(viewers[slot], cursor, 100)
                seen[slot] += [e["contractId"] for e in events]
                db.session.close()

    def count(_conn, _cursor, statement, *_):
        if "contract_events" in statement:
            reads.append(statement)

    with bridge.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    threads = [threading.Thread(target=watch, args=(i,)) for i in range(8)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        with bridge.app_context():
            for contract_id in bridge.loans.values():
                contract = db.session.get(Contract, contract_id)
                record_event(contract, "reminded", Actor("test"))
            db.session.commit()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
        event.remove(engine, "before_cursor_execute", count)
    jn, qd = bridge.loans["JN001"], bridge.loans["QD002"]
    assert seen == [[jn, qd]] * 4 + [[jn]] * 4
    polls = 0.8 / 0.05
    assert len(reads) < 8 + 2 * polls  # starts, catch-ups and one read per poll
