"""End to end in Chromium on a phone viewport: the borrower and the guarantor open
their SMS links from the dev inbox, verify, read every page, draw a signature
with the pointer, confirm with the SMS code; the dealer's operator logs in by SMS
and seals. The final PDF passes pdfsig and each signature is its person's event
certificate. Screenshots of every step are kept under the test's tmp dir."""

from __future__ import annotations

import re
import shutil

import pytest

from bridge import create_app
from bridge.extensions import db
from bridge.models import ApiApp, Contract
from bridge.scheduler import start_scheduler
from bridge.services import operators
from bridge.services.storage import storage
from tests.browser import PHONE, chromium
from tests.pdfs import pdfsig
from tests.signer_contracts import (
    DEALER,
    create_template_loan,
    latest_code,
)
from tests.wsgi_server import free_port, waitress_server

OPERATOR = "13700000001"

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


@pytest.fixture
def bridge(home):
    port = free_port()
    app = create_app(
        {
            "HOME": str(home),
            "DEMO": True,
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "OUTBOX_POLL_SECONDS": 1,
            "CONVERTER": "soffice",  # one document: a cold LibreOffice is quickest
        }
    )
    with app.app_context():
        from bridge.services.apps import create_api_app

        app.api_app_id = create_api_app("经销商甲", "JN001")[0].id
    scheduler = start_scheduler(app)  # delivers the texts, as in `serve`
    with waitress_server(app, port) as base:
        app.base_url = base
        yield app
    scheduler.shutdown()


def _shot(page, folder, name):
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)


def _sign_as(browser, bridge, person, shots):
    """One person's whole journey, starting from the dev SMS inbox."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    inbox = f"{bridge.base_url}/dev/sms?mobile={person['mobile']}"
    page.goto(inbox)
    while not page.locator("#sms td.text a").count():  # the dispatcher's next pass
        page.wait_for_timeout(300)
        page.goto(inbox)
    link = page.locator("#sms td.text a").first.get_attribute("href")
    assert re.search(r"/s/[\w-]{43}$", link)
    page.goto(link)
    _shot(page, shots, "1-landing")
    page.click("#start")
    page.fill("#name", person["name"])
    page.fill("#id_number", person["id_number"])
    _shot(page, shots, "2-identity")
    page.click("#verify")
    page.wait_for_selector("img[data-last='true']")
    button = page.locator("#to-sign")
    assert button.get_attribute("aria-disabled") == "true"
    _shot(page, shots, "3-document-first-page")
    for image in page.locator(".page img").all():
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.decode()")
    page.locator("img[data-last='true']").scroll_into_view_if_needed()
    page.wait_for_selector("#to-sign:not([aria-disabled])")
    _shot(page, shots, "4-document-last-page")
    button.click()
    pad = page.locator("#pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    strokes = [
        [(0.10, 0.70), (0.20, 0.30), (0.30, 0.75), (0.38, 0.35)],
        [(0.45, 0.40), (0.60, 0.42), (0.52, 0.80)],
        [(0.65, 0.65), (0.78, 0.25), (0.90, 0.70)],
    ]
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(
                box["x"] + x * box["width"], box["y"] + y * box["height"], steps=8
            )
        page.mouse.up()
    page.click("#undo")  # take back the last stroke, draw it again
    x, y = strokes[-1][0]
    page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
    page.mouse.down()
    for x, y in strokes[-1][1:]:
        page.mouse.move(
            box["x"] + x * box["width"], box["y"] + y * box["height"], steps=8
        )
    page.mouse.up()
    page.click("#send-code")
    page.wait_for_selector("#error:has-text('已发送')")
    with bridge.app_context():
        code = latest_code(person["mobile"])
    page.fill("#code", code)
    _shot(page, shots, "5-signature-and-code")
    page.click("#submit")
    page.wait_for_selector("#done, #error:not(:has-text('正在签署'))")
    assert page.locator("#done").count(), page.locator("#error").text_content()
    _shot(page, shots, "6-done")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()


def _seal_as_operator(browser, bridge, shots):
    """The dealer's operator logs in by SMS, previews the seal and seals."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{bridge.base_url}/op/login")
    page.fill("#mobile", OPERATOR)
    page.click("#send-code")
    page.wait_for_selector("#error:has-text('已发送')")
    with bridge.app_context():
        page.fill("#code", latest_code(OPERATOR))
    page.click("#submit")
    page.wait_for_selector("#assignments")
    _shot(page, shots, "1-contracts")
    page.click("#assignments a.button")
    page.wait_for_selector("#preview")
    page.locator("#preview").evaluate("img => img.decode()")
    page.locator("#preview").scroll_into_view_if_needed()
    _shot(page, shots, "2-preview")
    page.click("#seal")
    page.wait_for_selector("#sealed")
    _shot(page, shots, "3-sealed")
    context.close()


def test_borrower_guarantor_and_dealer_sign_on_their_phones(
    bridge, tmp_path, nss_db, seal_names
):
    with bridge.app_context():
        contract, borrower, guarantor = create_template_loan(
            db.session.get(ApiApp, bridge.api_app_id), "E2E-1"
        )
        contract_id = contract.id
        operators.add_operator(OPERATOR, "赵六", DEALER)
        operators.authorize_seal(seal_names["dealer"], OPERATOR, "head-office")
    with chromium() as browser:
        for person in (borrower, guarantor):
            shots = tmp_path / "screenshots" / person["name"]
            shots.mkdir(parents=True)
            _sign_as(browser, bridge, person, shots)
        shots = tmp_path / "screenshots" / "operator"
        shots.mkdir()
        _seal_as_operator(browser, bridge, shots)
    with bridge.app_context():
        contract = db.session.get(Contract, contract_id)
        assert contract.status == "COMPLETE"
        final = tmp_path / "final.pdf"
        final.write_bytes(storage().get(contract.documents[0].current.sha256))
    *signatures, archive_timestamp = pdfsig(final, nss_db)
    assert len(signatures) == 4
    assert archive_timestamp["Signer Certificate Common Name"] == (
        "Sealbridge Timestamp Authority"
    )
    for signature in signatures:
        assert signature["Signature Validation"] == "Signature is Valid."
    names = [s["Signer Certificate Common Name"] for s in signatures]
    assert names[:2] == [borrower["name"], guarantor["name"]]
    assert names[2] == seal_names["dealer"]
    assert len(list((tmp_path / "screenshots").rglob("*.png"))) == 15
