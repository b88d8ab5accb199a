"""Identifier checks against published examples and check digits computed here."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.domain.validators import (
    check_credit_code,
    check_id_number,
    check_mobile,
    check_person_name,
    check_vin,
    mask_id_number,
)

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_with_check_digit(first17: str) -> str:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    return first17 + "10X98765432"[total % 11]


def credit_code_with_check(first17: str) -> str:
    """GB 32100-2015: weights 3^i mod 31, check = 31 − sum mod 31."""
    total = sum(CREDIT_CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + CREDIT_CHARSET[(31 - total % 31) % 31]


def vin_with_check(vin: str) -> str:
    """ISO 3779: transliterate, weight, sum mod 11 into position 9 (10 → X)."""
    values = {str(d): d for d in range(10)}
    for letters, start in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9)):
        values |= {c: start + i for i, c in enumerate(letters)}
    values |= {c: 2 + i for i, c in enumerate("STUVWXYZ")}
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    total = sum(values[c] * w for c, w in zip(vin, weights, strict=True))
    return vin[:8] + "0123456789X"[total % 11] + vin[9:]


# -- resident ID numbers -----------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the GB 11643-1999 sample
        "11010519491231002x",  # a lower-case x is the same number
        "110101199003074514",
        id_with_check_digit("37010219850612123"),
        id_with_check_digit("81000019000101001"),  # 1900 and region 8 (HK/Macau/TW)
    ],
)
def test_valid_id_numbers(number):
    assert check_id_number(number) is None


def test_every_wrong_check_digit_is_refused():
    valid = id_with_check_digit("37010219850612123")
    for digit in "0123456789X":
        if digit != valid[-1]:
            assert check_id_number(valid[:-1] + digit) == "check digit is wrong"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "must be 17 digits followed by a digit or X"),
        ("11010519491231002XX", "must be 17 digits followed by a digit or X"),
        ("1101051949123100X2", "must be 17 digits followed by a digit or X"),
        (id_with_check_digit("01010519491231002"), "region code is not valid"),
        (id_with_check_digit("91010519491231002"), "region code is not valid"),
        (id_with_check_digit("00000019491231002"), "region code is not valid"),
        (id_with_check_digit("11010519490230002"), "birth date is not a valid date"),
        (id_with_check_digit("11010518991231002"), "birth date is out of range"),
        (id_with_check_digit("11010520991231002"), "birth date is out of range"),
        (12345, "must be a string"),
    ],
)
def test_invalid_id_numbers(number, message):
    assert check_id_number(number) == message


def test_birth_date_may_be_today_but_not_tomorrow():
    number = id_with_check_digit("11010520260315002")
    assert check_id_number(number, today=date(2026, 3, 15)) is None
    assert check_id_number(number, today=date(2026, 3, 14)) == (
        "birth date is out of range"
    )


def test_mask_keeps_region_and_last_four():
    assert mask_id_number("370102198506121234") == "370102********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("1234567890") == "**********"


# -- mobile numbers ----------------------------------------------------------


@pytest.mark.parametrize("mobile", ["13800138000", "15953112345", "19912345678"])
def test_valid_mobiles(mobile):
    assert check_mobile(mobile) is None


@pytest.mark.parametrize(
    ("mobile", "message"),
    [
        ("1380013800", "must be 11 digits"),
        ("138001380001", "must be 11 digits"),
        ("1380013800a", "must be 11 digits"),
        ("13800138000\n", "must be 11 digits"),
        ("+8613800138", "must be 11 digits"),
        ("12800138000", "is not a mobile number (13x–19x)"),
        ("23800138000", "is not a mobile number (13x–19x)"),
        (13800138000, "must be a string"),
    ],
)
def test_invalid_mobiles(mobile, message):
    assert check_mobile(mobile) == message


# -- unified social credit codes ---------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # the GB 32100-2015 example
        "91110108551385082Q",  # a published company code
        "91440300708461136T",  # another one
        credit_code_with_check("91370100MA3C1234X"),
        credit_code_with_check("12100000400000624"),  # a public institution
    ],
)
def test_valid_credit_codes(code):
    assert check_credit_code(code) is None


def test_every_wrong_check_character_is_refused():
    valid = credit_code_with_check("91370100MA3C1234X")
    for char in CREDIT_CHARSET:
        if char != valid[-1]:
            assert check_credit_code(valid[:-1] + char) == "check character is wrong"


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        "91350100I000100Y43",  # I is not in the charset
        "91350100m000100y43",  # lower case
        "913501A0M000100Y43",  # letter in the region code
    ],
)
def test_malformed_credit_codes(code):
    assert check_credit_code(code).startswith("must be 18 characters")


# -- VINs --------------------------------------------------------------------


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP042788",  # check digit X
        "11111111111111111",
        "1HGCM82633A004352",
        "5GZCZ43D13S812715",
        vin_with_check("LZGJLNR40PX123456"),  # a Chinese (L…) heavy truck
        vin_with_check("LZZ5BLSF0PW987654"),
    ],
)
def test_valid_vins(vin):
    assert check_vin(vin) is None


def test_every_wrong_vin_check_digit_is_refused():
    valid = vin_with_check("LZGJLNR40PX123456")
    for char in "0123456789X":
        if char != valid[8]:
            wrong = valid[:8] + char + valid[9:]
            assert check_vin(wrong) == "check digit (position 9) is wrong"


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP04278",  # 16 characters
        "1M8GDM9AXKP0427888",  # 18
        "1M8GDM9AXKP04278O",  # O
        "IM8GDM9AXKP042788",  # I
        "1M8GDM9AXKQ042788",  # Q
        "1m8gdm9axkp042788",  # lower case
    ],
)
def test_malformed_vins(vin):
    assert check_vin(vin) == (
        "must be 17 digits and capital letters other than I, O and Q"
    )


def test_transposed_vin_characters_change_the_check_digit():
    valid = vin_with_check("LZGJLNR40PX123456")
    swapped = valid[:12] + valid[13] + valid[12] + valid[14:]
    assert check_vin(swapped) == "check digit (position 9) is wrong"


# -- person names ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["王芳", "张建国", "欧阳娜娜", "阿依古丽·买买提", "𠮷野家", "王" * 20]
)
def test_valid_person_names(name):
    assert check_person_name(name) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("王", "must be 2 to 20 characters"),
        ("王" * 21, "must be 2 to 20 characters"),
        ("John Smith", "must be Chinese characters (parts may be joined by ·)"),
        ("王 芳", "must be Chinese characters (parts may be joined by ·)"),
        ("·王芳", "must be Chinese characters (parts may be joined by ·)"),
        ("王芳·", "must be Chinese characters (parts may be joined by ·)"),
        ("阿依··买买提", "must be Chinese characters (parts may be joined by ·)"),
        ("王芳1", "must be Chinese characters (parts may be joined by ·)"),
        (None, "must be a string"),
    ],
)
def test_invalid_person_names(name, message):
    assert check_person_name(name) == message


def test_helpers_agree_with_the_published_examples():
    """The check-digit helpers above are themselves right."""
    assert id_with_check_digit("11010519491231002") == "11010519491231002X"
    assert credit_code_with_check("91350100M000100Y4") == "91350100M000100Y43"
    assert vin_with_check("1M8GDM9A0KP042788") == "1M8GDM9AXKP042788"
