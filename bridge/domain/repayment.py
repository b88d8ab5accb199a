"""Monthly repayment schedules of loans and financing leases.

The monthly rate is the annual rate divided by 12, as Chinese loan contracts
state it (月利率 = 年利率 / 12). Every figure is rounded to the cent (half up);
the last period repays whatever principal is left, so the principal parts add
up to the principal exactly and the last balance is zero.

- ``equal_installment`` (等额本息): the same payment every month,
  P·r·(1+r)^n / ((1+r)^n − 1), or P / n without interest;
- ``equal_principal`` (等额本金): the same principal every month, interest on
  the balance, so payments fall.

Due dates are monthly on the first due date's day, moved to the month's last
day where a month is shorter (31 January → 28 February → 31 March).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = ["METHODS", "Installment", "schedule"]

METHODS = ("equal_installment", "equal_principal")
"""等额本息 and 等额本金."""

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Installment:
    """One month of a schedule; ``balance`` is the principal left after it."""

    period: int
    due_date: date
    payment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal


def schedule(
    principal: Decimal,
    annual_rate: Decimal,
    months: int,
    method: str,
    first_due: date,
) -> list[Installment]:
    """The installments of ``principal`` over ``months``.

    :param annual_rate: a fraction: ``Decimal("0.0688")`` for 6.88 % a year.
    :param method: ``equal_installment`` or ``equal_principal``.
    :raises ValueError: a non-positive principal or term, a negative rate, an
        unknown method, or a principal finer than a cent.
    """
    principal, annual_rate = Decimal(principal), Decimal(annual_rate)
    if principal <= 0 or principal != principal.quantize(CENT):
        raise ValueError("The principal must be a positive amount in cents.")
    if annual_rate < 0:
        raise ValueError("The annual rate cannot be negative.")
    if months < 1:
        raise ValueError("The term must be at least one month.")
    if method not in METHODS:
        raise ValueError(f"Unknown repayment method {method!r}.")
    if method == "equal_installment":
        level = _round(_annuity(principal, annual_rate / 12, months))
    else:
        level = _round(principal / months)
    rows = []
    balance = principal
    for period in range(1, months + 1):
        interest = _round(balance * annual_rate / 12)
        if period == months:
            part = balance
        elif method == "equal_installment":
            part = min(level - interest, balance)
        else:
            part = min(level, balance)
        balance -= part
        due = _add_months(first_due, period - 1)
        rows.append(Installment(period, due, part + interest, part, interest, balance))
    return rows


def _annuity(principal: Decimal, rate: Decimal, months: int) -> Decimal:
    if not rate:
        return principal / months
    with localcontext() as context:
        context.prec = 40
        growth = (1 + rate) ** months
        return principal * rate * growth / (growth - 1)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))
