"""The sandbox identity provider: GB 11643 check digit, birth date, region code,
name form, and the configured list of people."""

from __future__ import annotations

import pytest

from bridge.domain.validators import mask_id_number
from bridge.identity import build_provider
from bridge.identity.sandbox import SandboxIdentityProvider, check_region_code

GOOD = "370102199001011231"


def _with_check_digit(first17: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def test_a_valid_number_name_and_mobile_pass():
    result = SandboxIdentityProvider().verify("王小明", GOOD, "13853112345")
    assert result.matched
    assert result.method == "sandbox-3e"
    assert result.reference.startswith("sandbox-")


@pytest.mark.parametrize(
    ("id_number", "why"),
    [
        ("370102199001011232", "check digit is wrong"),
        (_with_check_digit("37010219900230123"), "birth date is not a valid date"),
        (_with_check_digit("37010230000101123"), "birth date is out of range"),
        (_with_check_digit("99010219900101123"), "region code"),
        (_with_check_digit("37000119900101123"), "region code is not valid"),
        ("37010219900101123", "17 digits followed by a digit or X"),
    ],
)
def test_bad_id_numbers_fail_with_the_reason(id_number, why):
    result = SandboxIdentityProvider().verify("王小明", id_number, "13853112345")
    assert not result.matched
    assert why in result.reason


def test_check_digit_x_is_accepted_in_either_case():
    number = next(
        _with_check_digit(f"11010519850601{i:03d}")
        for i in range(200)
        if _with_check_digit(f"11010519850601{i:03d}").endswith("X")
    )
    provider = SandboxIdentityProvider()
    assert provider.verify("李四", number, "13912345678").matched
    assert provider.verify("李四", number.lower(), "13912345678").matched


def test_name_and_mobile_forms():
    provider = SandboxIdentityProvider()
    assert "name" in provider.verify("Wang", GOOD, "13853112345").reason
    assert provider.verify("阿依古丽·买买提", GOOD, "13853112345").matched
    assert "mobile" in provider.verify("王小明", GOOD, "12853112345").reason


def test_a_configured_list_must_hold_all_three_elements_together():
    provider = build_provider(
        {
            "IDENTITY_PROVIDER": "sandbox",
            "IDENTITY_SANDBOX_PEOPLE": {
                GOOD: {"name": "王小明", "mobile": "13853112345"}
            },
        }
    )
    assert provider.verify("王小明", GOOD, "13853112345").matched
    assert not provider.verify("王小明", GOOD, "13953112345").matched
    assert not provider.verify("王大明", GOOD, "13853112345").matched
    other = _with_check_digit("11010519800101001")
    assert not provider.verify("王小明", other, "13853112345").matched


def test_region_codes_and_masking():
    assert check_region_code("110105") is None
    assert check_region_code("710000") is None
    assert check_region_code("000000") is not None
    assert mask_id_number(GOOD) == "370102********1231"
