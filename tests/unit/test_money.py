"""Amounts in Chinese capitals (大写) and in figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.domain.money import amount_in_words, format_amount


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        # the brief's and the rule's own examples
        ("123456.78", "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
        ("100005.00", "壹拾万零伍元整"),
        ("1000000", "壹佰万元整"),
        ("0.05", "伍分"),
        ("10.50", "壹拾元伍角整"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        # small amounts
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.01", "壹分"),
        ("0.10", "壹角整"),
        ("0.99", "玖角玖分"),
        ("1", "壹元整"),
        ("10", "壹拾元整"),
        ("11", "壹拾壹元整"),
        ("20", "贰拾元整"),
        ("101", "壹佰零壹元整"),
        ("110", "壹佰壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("1010", "壹仟零壹拾元整"),
        ("1100", "壹仟壹佰元整"),
        # zeros inside and across the 万 and 亿 groups
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("10010", "壹万零壹拾元整"),
        ("10100", "壹万零壹佰元整"),
        ("11000", "壹万壹仟元整"),
        ("20300", "贰万零叁佰元整"),
        ("100000", "壹拾万元整"),
        ("1000100", "壹佰万零壹佰元整"),
        ("1010000", "壹佰零壹万元整"),
        ("10000000", "壹仟万元整"),
        ("10010000", "壹仟零壹万元整"),
        ("100000000", "壹亿元整"),
        ("100000005", "壹亿零伍元整"),
        ("100005000", "壹亿零伍仟元整"),
        ("100010000", "壹亿零壹万元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000000", "壹万亿元整"),
        ("10000000000001", "壹拾万亿零壹元整"),
        ("1000000010000", "壹万亿零壹万元整"),
        (
            "9999999999999999.99",
            "玖仟玖佰玖拾玖万亿玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
        ),
        # jiao and fen after whole amounts
        ("300000.00", "叁拾万元整"),
        ("300000.10", "叁拾万元壹角整"),
        ("300000.01", "叁拾万元零壹分"),
        ("285600.00", "贰拾捌万伍仟陆佰元整"),
        ("8884.88", "捌仟捌佰捌拾肆元捌角捌分"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == "人民币" + words


def test_integers_are_amounts_too():
    assert amount_in_words(380000) == "人民币叁拾捌万元整"


def test_trailing_zero_decimals_are_exact():
    assert amount_in_words(Decimal("100.000")) == "人民币壹佰元整"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-0.01", "negative"),
        ("-100", "negative"),
        ("10000000000000000", "below 10"),
        ("1.005", "two decimal places"),
        ("0.001", "two decimal places"),
        ("NaN", "finite"),
        ("Inf", "finite"),
    ],
)
def test_impossible_amounts_are_refused(amount, message):
    with pytest.raises(ValueError, match=message):
        amount_in_words(Decimal(amount))


@pytest.mark.parametrize("amount", [1.5, "1.50", True, None])
def test_only_decimals_and_integers(amount):
    with pytest.raises(TypeError, match="Decimal or int"):
        amount_in_words(amount)


def test_words_never_leave_a_zero_at_a_unit_boundary():
    """No 零 before 元/万/亿, no doubled 零, no bare 拾: over many amounts."""
    for yuan in range(0, 2_000_000, 997):
        for cents in (0, 5, 50, 55):
            words = amount_in_words(Decimal(yuan) + Decimal(cents) / 100)
            for bad in ("零元", "零万", "零亿", "零零", "零角", "零整"):
                assert bad not in words.replace("人民币零元整", ""), (yuan, words)
            assert not words.removeprefix("人民币").startswith("拾")
            assert words.endswith("分") != words.endswith("整")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("123456.78", "123,456.78"),
        ("0", "0.00"),
        ("0.5", "0.50"),
        ("1000", "1,000.00"),
        ("1234567.891", "1,234,567.89"),
        ("2.345", "2.35"),  # half up, not banker's rounding
        ("2.335", "2.34"),
        ("-1200", "-1,200.00"),
    ],
)
def test_format_amount(amount, text):
    assert format_amount(Decimal(amount)) == text
