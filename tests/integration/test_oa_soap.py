"""The bridge's /soap/oa: zeep against its WSDL, WS-Security, hostile XML."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import requests
import zeep
from lxml import etree
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

from bridge import create_app
from bridge.models import utcnow
from tests.oa import OA_USER, digest_token, soap_envelope
from tests.wsgi_server import LoopbackServer, free_port

NS = "urn:sealbridge:oa"

pytestmark = pytest.mark.database


@pytest.fixture
def bridge(home, seal_names):
    oa = {
        "users": dict([OA_USER]),
        "seals": {"contract": [seal_names["contract"]]},
        "max_envelope_bytes": 64 * 1024,
        "url": f"http://127.0.0.1:{free_port()}",  # an OA that is down
        "timeout_seconds": 2,
    }
    server = LoopbackServer(create_app({"HOME": str(home), "OA": oa})).start()
    yield server
    server.stop()


def _client(bridge, user=OA_USER, digest=True) -> zeep.Client:
    return zeep.Client(
        f"{bridge.url}/soap/oa?wsdl", wsse=UsernameToken(*user, use_digest=digest)
    )


def _code(fault: Fault) -> str:
    return fault.detail.findtext(f"{{{NS}}}code")


TASK = {
    "requestId": 2966001,
    "nodeName": "用印",
    "oaUser": 6,
    "sealKind": "contract",
    "documentIds": "12,13",
    "keyword": "甲方（盖章）",
    "resultField": "gzfj",
    "statusField": "yzzt",
}


def test_every_operation_through_zeep(bridge):
    service = _client(bridge).service
    task = service.createSealTask(**TASK)
    assert task.state == "pending"
    assert task.documentIds == "12,13"
    assert service.createSealTask(**TASK).taskId == task.taskId  # same node again
    assert service.getSealTask(task.taskId).requestId == 2966001
    assert service.cancelSealTask(task.taskId, "撤回").state == "cancelled"
    with pytest.raises(Fault) as missing:
        service.getSealTask("nope")
    assert _code(missing.value) == "unknown_task"
    with pytest.raises(Fault) as red_header:
        service.applyRedHeader(
            requestId=1,
            nodeName="套红",
            oaUser=5,
            template="文件",
            bodyDocId=0,
            field=[{"name": "title", "value": ["关于……的通知"]}],
            resultField="zwpdf",
        )
    assert _code(red_header.value) == "missing_body"
    with pytest.raises(Fault) as oa_down:
        service.applyRedHeader(
            requestId=1,
            nodeName="套红",
            oaUser=5,
            template="文件",
            bodyDocId=7,
            resultField="zwpdf",
        )
    assert _code(oa_down.value) == "oa_unavailable"


def test_password_text_is_accepted(bridge):
    assert (
        _client(bridge, digest=False).service.createSealTask(**TASK).state == "pending"
    )


@pytest.mark.parametrize(
    ("user", "digest"),
    [
        (("ecology", "wrong"), True),
        (("ecology", "wrong"), False),
        (("nobody", "x"), True),
    ],
)
def test_wrong_credentials_are_a_fault(bridge, user, digest):
    with pytest.raises(Fault) as fault:
        _client(bridge, user, digest).service.getSealTask("x")
    assert _code(fault.value) == "unauthenticated"


def _post(bridge, body: bytes) -> tuple[int, str]:
    reply = requests.post(
        f"{bridge.url}/soap/oa",
        data=body,
        timeout=10,
        headers={"Content-Type": "text/xml; charset=utf-8"},
    )
    fault = etree.fromstring(reply.content)
    return reply.status_code, fault.findtext(f".//{{{NS}}}code")


def _now(offset: timedelta = timedelta()) -> str:
    return (utcnow() + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_replayed_nonce_and_a_stale_token_are_refused(bridge):
    token = digest_token(OA_USER[1], _now(), os.urandom(16))
    assert _post(bridge, soap_envelope(token)) == (400, "unknown_task")
    assert _post(bridge, soap_envelope(token)) == (400, "replayed_nonce")
    stale = digest_token(OA_USER[1], _now(-timedelta(hours=1)), os.urandom(16))
    assert _post(bridge, soap_envelope(stale)) == (400, "stale_token")
    assert _post(bridge, soap_envelope()) == (400, "missing_security")


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    b"<soap:Body>&lol9;</soap:Body></soap:Envelope>"
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<soap:Envelope", "malformed_xml"),
        (b"", "malformed_xml"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            b"<soap:Body>&xxe;</soap:Body></soap:Envelope>",
            "dtd_forbidden",
        ),
        (LAUGHS, "dtd_forbidden"),
        (
            soap_envelope(body="<sb:getSealTask>" + "x" * 70_000 + "</sb:getSealTask>"),
            "too_large",
        ),
        (soap_envelope(body="<sb:noSuchOperation/>"), "unknown_operation"),
        (b"<plain/>", "not_soap"),
    ],
)
def test_hostile_or_broken_envelopes_get_faults(bridge, body, code):
    assert _post(bridge, body) == (400, code)


def test_the_wsdl_names_its_real_address(bridge):
    wsdl = etree.fromstring(
        requests.get(f"{bridge.url}/soap/oa?wsdl", timeout=5).content
    )
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == f"{bridge.url}/soap/oa"
