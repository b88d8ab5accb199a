"""Response headers of the pages people open: CSP, framing, cookies.

Signer and operator pages run no inline script and may not be framed; the
OA stamp page runs no inline script either and may be framed only by the
configured OA origins; the session cookie is HttpOnly, SameSite and, behind
https, Secure.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import ApiApp
from bridge.services.apps import create_api_app
from bridge.services.oa_requests import create_seal_task
from oa_plugin.ticket import make_ticket
from tests.signer_contracts import BORROWER, create_loan, link_path
from tests.signer_pages import verify_identity

OA_ORIGIN = "https://oa.example.com:8443"
TICKETS = "security-ticket-secret"


class _Scripts(HTMLParser):
    """Inline scripts and inline event handlers of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.inline.append("<script> without src")
        self.inline += [
            f"{tag} {name}=" for name in attributes if name.startswith("on")
        ]
        if any(
            (v or "").strip().lower().startswith("javascript:")
            for v in attributes.values()
        ):
            self.inline.append(f"{tag} with a javascript: URL")


def _inline_scripts(html: str) -> list[str]:
    parser = _Scripts()
    parser.feed(html)
    return parser.inline


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in policy.split(";")
        if part.strip()
    )


@pytest.fixture
def bridge(home, seal_names):
    oa = {
        "ticket_secret": TICKETS,
        "frame_origins": [OA_ORIGIN],
        "seals": {"contract": [seal_names["contract"]]},
        "stampers": {"6": ["contract"]},
    }
    app = create_app({"HOME": str(home), "DEMO": True, "OA": oa})
    with app.app_context():
        api_app, _ = create_api_app("经销商甲", "JN001")
        create_loan(db.session.get(ApiApp, api_app.id), "SEC-HEADERS-1")
        app.borrower_path = link_path(BORROWER["mobile"])
        create_seal_task(
            request_id=77,
            node="用印",
            oa_user=6,
            seal_kind="contract",
            document_ids="12",
            keyword="甲方（盖章）",
            signatures=[],
            result_field="gzfj",
            status_field=None,
        )
    return app


def _people_pages(bridge, client) -> list[str]:
    path = bridge.borrower_path
    verify_identity(client, path, BORROWER)
    signer = [
        path + page for page in ("", "/identity", "/document", "/sign", "/reject")
    ]
    return [*signer, "/op/login", "/s/" + "A" * 43]


def test_signer_and_operator_pages_run_no_inline_script_and_refuse_frames(bridge):
    client = bridge.test_client()
    for url in _people_pages(bridge, client):
        response = client.get(url)
        directives = _directives(response)
        assert directives["script-src"] == "'self'", url
        assert directives["frame-ancestors"] == "'none'", url
        assert directives["default-src"] == "'none'", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert not _inline_scripts(response.get_data(as_text=True)), url


def test_the_stamp_page_is_framed_only_by_the_oa(bridge):
    client = bridge.test_client()
    ticket = make_ticket(TICKETS, 6, 77, "用印")
    page = client.get("/oa/stamp", query_string={"ticket": ticket})
    assert page.status_code == 200
    directives = _directives(page)
    assert directives["frame-ancestors"] == OA_ORIGIN
    assert directives["script-src"] == "'self'"
    html = page.get_data(as_text=True)
    assert not _inline_scripts(html)
    assert re.search(
        r'data-origins="\[&#34;https://oa\.example\.com:8443&#34;\]"', html
    )
    refused = client.get("/oa/stamp", query_string={"ticket": "forged.ticket"})
    assert _directives(refused)["frame-ancestors"] == OA_ORIGIN


def test_without_oa_origins_nobody_may_frame_the_stamp_page(home):
    client = create_app({"HOME": str(home)}).test_client()
    page = client.get("/oa/stamp", query_string={"ticket": "x.y"})
    assert _directives(page)["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    ("public_url", "secure"),
    [("https://sign.example.com", True), ("http://127.0.0.1:5000", False)],
)
def test_the_session_cookie(home, public_url, secure):
    client = create_app({"HOME": str(home), "PUBLIC_URL": public_url}).test_client()
    client.get("/op/login")
    cookie = client.get_cookie("sb_session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.secure is secure


def test_the_api_sets_no_cookie(bridge):
    client = bridge.test_client()
    response = client.get("/api/v1/openapi.json")
    assert "Set-Cookie" not in response.headers
    assert "Set-Cookie" not in client.get("/health").headers
