"""The HTTP identity adapter against a three-element service on loopback."""

from __future__ import annotations

import json

import pytest

from bridge.identity import IdentityUnavailableError, build_provider
from tests.loopback_service import LoopbackService
from tests.webhook_receiver import refused_url

REGISTRY = {("王小明", "370102199001011231", "13853112345")}


def _three_elements(request):
    """What a real service does: match the three elements, answer with a reference."""
    if request.headers.get("Authorization") != "Bearer id-token":
        return 401, b'{"error": "unauthorized"}'
    asked = json.loads(request.body)
    match = (asked["name"], asked["idNumber"], asked["mobile"]) in REGISTRY
    return 200, json.dumps(
        {
            "match": match,
            "reference": f"V{len(asked['name'])}-0001",
            "reason": None if match else "mobile not registered to this ID",
        }
    ).encode()


@pytest.fixture
def service():
    server = LoopbackService(answer=_three_elements)
    yield server
    server.close()


def _provider(url, **changes):
    config = {
        "IDENTITY_PROVIDER": "http",
        "IDENTITY_HTTP_URL": url,
        "IDENTITY_HTTP_AUTH": "bearer",
        "IDENTITY_HTTP_SECRET": "id-token",
        "IDENTITY_HTTP_TIMEOUT_SECONDS": 5,
    }
    return build_provider(config | changes)


def test_a_match_carries_the_providers_reference(service):
    result = _provider(service.url).verify(
        "王小明", "370102199001011231", "13853112345"
    )
    assert (result.matched, result.method, result.reference) == (
        True,
        "http-3e",
        "V3-0001",
    )
    assert json.loads(service.requests[0].body)["idNumber"] == "370102199001011231"


def test_a_mismatch_says_why(service):
    result = _provider(service.url).verify(
        "王小明", "370102199001011231", "13953112345"
    )
    assert not result.matched
    assert result.reason == "mobile not registered to this ID"


@pytest.mark.parametrize(
    "change",
    [
        {"IDENTITY_HTTP_SECRET": "wrong"},  # 401
        {"IDENTITY_HTTP_URL": refused_url()},
    ],
)
def test_an_unusable_answer_is_503_not_a_verdict(service, change):
    with pytest.raises(IdentityUnavailableError) as caught:
        _provider(service.url, **change).verify(
            "王小明", "370102199001011231", "13853112345"
        )
    assert caught.value.status == 503
    assert "370102199001011231" not in caught.value.message


def test_a_body_without_a_verdict_or_too_slow_is_unavailable(service):
    service.answer = lambda _: (200, b'{"status": "ok"}')
    with pytest.raises(IdentityUnavailableError, match="without a verdict"):
        _provider(service.url).verify("王小明", "370102199001011231", "13853112345")
    service.delay = 1.0
    with pytest.raises(IdentityUnavailableError, match="Timeout"):
        _provider(service.url, IDENTITY_HTTP_TIMEOUT_SECONDS=0.2).verify(
            "王小明", "370102199001011231", "13853112345"
        )
