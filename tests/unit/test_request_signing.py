"""The request-signing scheme: docs/api.md's worked examples, canonical queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.auth.signing import canonical_query, sign, string_to_sign
from examples.finance_client import sign_request

API_DOC = (Path(__file__).parents[2] / "docs" / "api.md").read_text()

APP_SECRET = "s4LqX2vN8pR6tW1yZ7bD3fH9kM5cG0jE-aUeIoQrTyw"
TIMESTAMP = 1795000000


def _visible(message: bytes) -> str:
    """The string to sign as docs/api.md shows it: ``\\n`` written out."""
    return message.decode().replace("\n", "\\n")


def test_worked_example_with_a_json_body():
    body = '{"bizId":"LN-2026-00042","subject":"借款合同"}'.encode()
    message = string_to_sign(
        "POST", "/api/v1/contracts", TIMESTAMP, "7f3c9a1e5b2d4f60a8c1", body
    )
    assert message == (
        b"POST\n/api/v1/contracts\n\n1795000000\n7f3c9a1e5b2d4f60a8c1\n"
        b"b7d40c719935cc92448a6cdeb3fbde9f74e95e7023006edc522f8271f4d10bc3"
    )
    signature = sign(
        APP_SECRET, "POST", "/api/v1/contracts", TIMESTAMP, "7f3c9a1e5b2d4f60a8c1", body
    )
    assert signature == "HoKn+nlRXiQLK39mGb5Y0QJuliAgTXJ8cZHTrCnwBEE="
    assert _visible(message) in API_DOC
    assert signature in API_DOC
    assert APP_SECRET in API_DOC


def test_worked_example_with_a_query():
    path = "/api/v1/contracts?status=SIGNING&borrower=%e7%8e%8b%e4%bc%9f&q=a+b&page=2"
    nonce = "Qm9vX2V4YW1wbGVfbm9uY2U"
    message = string_to_sign("get", path, TIMESTAMP, nonce, b"")
    assert message.split(b"\n")[:3] == [
        b"GET",
        b"/api/v1/contracts",
        b"borrower=%E7%8E%8B%E4%BC%9F&page=2&q=a%20b&status=SIGNING",
    ]
    signature = sign(APP_SECRET, "GET", path, TIMESTAMP, nonce, b"")
    assert signature == "xquq3dSKF7Y13Dl0reRbRA5ktGRT+D5wuuL9PfJGuOE="
    assert path in API_DOC
    assert _visible(message) in API_DOC
    assert signature in API_DOC


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=10&a=1", "a=1&a=10&a=2"),  # same key: by value, byte order
        ("a1=0&a=1&a-b=2&a.c=3", "a=1&a-b=2&a.c=3&a1=0"),  # by key before value
        ("q=a+b&r=a%20b", "q=a%20b&r=a%20b"),  # + is a space, as in forms
        ("x=%7e%2a~*", "x=~%2A~%2A"),  # unreserved kept, the rest encoded
        ("x=%e7%8e%8b", "x=%E7%8E%8B"),  # upper-case escapes
        ("x=王", "x=%E7%8E%8B"),  # raw UTF-8 is encoded like the escaped form
        ("x=a=b&y=/c?d", "x=a%3Db&y=%2Fc%3Fd"),  # only the first = splits
        ("flag&&z=", "flag=&z="),  # no value is an empty value; empty pieces go
        ("plus=%2B", "plus=%2B"),
    ],
)
def test_canonical_query(query, canonical):
    assert canonical_query(query) == canonical


def test_path_is_signed_as_sent():
    message = string_to_sign("GET", "/api/v1/contracts/%E7%8E%8B", 1, "n" * 16, b"")
    assert message.split(b"\n")[1] == b"/api/v1/contracts/%E7%8E%8B"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ping",
        "/api/v1/contracts?page=2&status=SIGNING",
        "/api/v1/contracts?borrower=%E7%8E%8B%E4%BC%9F&q=a+b&x=~*&&flag&a1=0&a=1",
    ],
)
def test_example_client_signs_like_the_bridge(path):
    body = '{"金额": 1}'.encode()
    expected = sign(APP_SECRET, "PUT", path, TIMESTAMP, "n" * 20, body)
    assert sign_request(APP_SECRET, "PUT", path, TIMESTAMP, "n" * 20, body) == expected
