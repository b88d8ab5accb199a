"""/soap/oa under attack, beyond tests/integration/test_oa_soap.py.

That file covers an inline external entity, billion laughs, an oversized body,
a replayed nonce, a stale token and a wrong user or password. Here: an
external DTD, parameter entities, declarations hidden in UTF-16, XInclude, and
the UsernameToken forged in the ways a digest can be forged.
"""

from __future__ import annotations

import base64
import os
from datetime import timedelta

import pytest
from lxml import etree

from bridge import create_app
from bridge.models import utcnow
from tests.oa import OA_USER, SOAP_NS, digest_token, soap_envelope

ENVELOPE = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'


@pytest.fixture
def client(home, seal_names):
    oa = {"users": dict([OA_USER]), "max_envelope_bytes": 64 * 1024}
    return create_app({"HOME": str(home), "OA": oa}).test_client()


def _post(client, body: bytes) -> tuple[int, str]:
    reply = client.post("/soap/oa", data=body, content_type="text/xml; charset=utf-8")
    fault = etree.fromstring(reply.data)
    return reply.status_code, fault.findtext(f".//{{{SOAP_NS}}}code")


def _now(offset: timedelta = timedelta()) -> str:
    return (utcnow() + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


HOSTILE = {
    "external DTD": b'<?xml version="1.0"?><!DOCTYPE soap:Envelope SYSTEM '
    b'"http://127.0.0.1:9/evil.dtd">'
    + ENVELOPE.encode()
    + b"<soap:Body/></soap:Envelope>",
    "parameter entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM '
    b'"file:///etc/passwd"> %p;]>'
    + ENVELOPE.encode()
    + b"<soap:Body/></soap:Envelope>",
    "DTD in UTF-16": (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        + ENVELOPE
        + "<soap:Body>&b;</soap:Body></soap:Envelope>"
    ).encode("utf-16"),
    "public DTD": b'<?xml version="1.0"?><!DOCTYPE soap:Envelope PUBLIC "-//X//Y" '
    b'"file:///etc/passwd">' + ENVELOPE.encode() + b"<soap:Body/></soap:Envelope>",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_declarations_are_refused_however_they_come(client, name):
    status, code = _post(client, HOSTILE[name])
    assert (status, code) == (400, "dtd_forbidden")


def test_xinclude_is_not_processed(client):
    token = digest_token(OA_USER[1], _now(), os.urandom(16))
    body = (
        '<sb:getSealTask><sb:taskId><xi:include xmlns:xi="http://www.w3.org/2001/XInclude"'
        ' href="file:///etc/passwd" parse="text"/></sb:taskId></sb:getSealTask>'
    )
    reply = client.post("/soap/oa", data=soap_envelope(token, body))
    assert reply.status_code == 400
    assert b"root:" not in reply.data


def test_deep_nesting_is_a_fault_not_a_crash(client):
    body = "<a>" * 9000 + "</a>" * 9000  # deeper than libxml2 allows
    status, code = _post(client, soap_envelope(body=body))
    assert status == 400
    assert code in {"too_large", "malformed_xml"}


def _token(**changes) -> str:
    nonce = changes.pop("nonce", os.urandom(16))
    created = changes.pop("created", _now())
    return digest_token(changes.pop("password", OA_USER[1]), created, nonce, **changes)


def _digest_over_another_time() -> str:
    """A digest made for one wsu:Created, sent with another."""
    earlier = _now(-timedelta(seconds=30))
    return _token(created=earlier).replace(earlier, _now())


FORGED = {
    "digest over another time": (_digest_over_another_time, "unauthenticated"),
    "created in the future": (
        lambda: _token(created=_now(timedelta(hours=1))),
        "stale_token",
    ),
    "created without a zone": (
        lambda: _token(created=utcnow().strftime("%Y-%m-%dT%H:%M:%S")),
        "invalid_created",
    ),
    "empty nonce": (lambda: _token(nonce=b""), "invalid_nonce"),
    "digest sent as text": (
        lambda: _token(password_type="PasswordText"),
        "unauthenticated",
    ),
    "unknown password type": (
        lambda: _token(password_type="PasswordMD5"),
        "unauthenticated",
    ),
    "empty user": (lambda: _token(user=""), "unauthenticated"),
    "user differing in case": (
        lambda: _token(user=OA_USER[0].upper()),
        "unauthenticated",
    ),
    "digest of an empty password": (lambda: _token(password=""), "unauthenticated"),
}


@pytest.mark.parametrize("name", FORGED)
def test_forged_username_tokens(client, name):
    make, code = FORGED[name]
    assert _post(client, soap_envelope(make())) == (400, code)


def test_a_token_in_the_body_is_no_token(client):
    token = _token()
    body = f"{token}<sb:getSealTask><sb:taskId>x</sb:taskId></sb:getSealTask>"
    status, code = _post(client, soap_envelope(body=body))
    assert (status, code) in {(400, "missing_security"), (400, "not_soap")}


def test_a_nonce_is_not_accepted_twice_even_reencoded(client):
    nonce = os.urandom(16)
    created = _now()
    first = _token(nonce=nonce, created=created)
    assert _post(client, soap_envelope(first)) == (400, "unknown_task")
    padded = first.replace(
        base64.b64encode(nonce).decode(), " " + base64.b64encode(nonce).decode() + " "
    )
    assert _post(client, soap_envelope(padded)) == (400, "replayed_nonce")
