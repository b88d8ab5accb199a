"""Amounts of money as contracts print them: in figures and in Chinese capitals.

The capitals follow the People's Bank of China rules for filling in
settlement documents (《支付结算办法》附件一 正确填写票据和结算凭证的基本规定):

- 壹贰叁肆伍陆柒捌玖拾佰仟万亿 and 元角分, always 壹拾 (never a bare 拾);
- 整 after 元 when there are no 角 and 分, and after 角 when there is no 分
  (the rule allows leaving it out after 角; writing it leaves no room to add
  a 分 later); never after 分;
- 零 for zeros followed by a non-zero digit in the same four-digit group, and
  for empty 万 or 亿 groups between non-zero ones (100,005 → 壹拾万零伍元整,
  1,010,000 → 壹佰零壹万元整, 100,005,000 → 壹亿零伍仟元整);
- no 零 where the rule leaves it to the writer: after a group's trailing
  zeros when the next group starts with a non-zero digit, and between a zero
  元 digit and a non-zero 角 (107,000 → 壹拾万柒仟元整, 10.50 → 壹拾元伍角整);
- 元零…分 when 角 is zero and 分 is not (325.04 → 叁佰贰拾伍元零肆分); amounts
  under one 元 start with their first digit (0.05 → 伍分).

Amounts go up to 万亿 (below 10^16 元) with at most two decimal places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["amount_in_words", "format_amount"]

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
CENT = Decimal("0.01")
LIMIT = Decimal(10) ** 16


def amount_in_words(amount: Decimal | int) -> str:
    """``人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分`` for 123456.78.

    :raises ValueError: negative, not finite, 10^16 or more, or finer than 分.
    :raises TypeError: a float (binary fractions are not amounts of money).
    """
    value = _exact(amount)
    if value < 0:
        raise ValueError("An amount in words cannot be negative.")
    if value >= LIMIT:
        raise ValueError("Amounts in words stop below 10^16 元 (万亿).")
    if value != value.quantize(CENT):
        raise ValueError("An amount of money has at most two decimal places.")
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = _integer_words(yuan)
    if yuan:
        words += "元"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    elif cents:
        words += "整"
    else:
        words = "零元整"
    return "人民币" + words


def format_amount(amount: Decimal | int) -> str:
    """``123,456.78``: thousands separated, always two decimals (half up)."""
    return f"{_exact(amount).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"


def _exact(amount: Decimal | int) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"Amounts are Decimal or int, not {type(amount).__name__}.")
    value = Decimal(amount)
    if not value.is_finite():
        raise ValueError("An amount must be a finite number.")
    return value


def _integer_words(yuan: int) -> str:
    """The 元 part, group by group (个, 万, 亿, 万亿) from the highest."""
    words = ""
    zero = False
    for index in reversed(range(len(GROUPS))):
        group = yuan // 10 ** (4 * index) % 10**4
        if not group:
            zero = zero or bool(words)
            continue
        for place in reversed(range(4)):
            digit = group // 10**place % 10
            if digit:
                words += ("零" if zero else "") + DIGITS[digit] + PLACES[place]
                zero = False
            elif words and group % 10**place:
                zero = True
        words += GROUPS[index]
    return words
