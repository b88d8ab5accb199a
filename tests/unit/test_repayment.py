"""Repayment schedules: known figures, exact sums, due dates."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bridge.domain.repayment import METHODS, schedule

D = Decimal


def test_mortgage_figure_everyone_knows():
    """1,000,000 at 4.9 % over 30 years: 5,307.27 a month (等额本息)."""
    rows = schedule(
        D("1000000"), D("0.049"), 360, "equal_installment", date(2026, 1, 5)
    )
    assert {row.payment for row in rows[:-1]} == {D("5307.27")}
    assert rows[0].interest == D("4083.33")  # 1,000,000 × 0.049 / 12
    assert rows[0].principal == D("1223.94")


def test_equal_installment_known_schedule():
    """100,000 at 12 % over 12 months: 8,884.88, the last one absorbs rounding."""
    rows = schedule(D("100000"), D("0.12"), 12, "equal_installment", date(2026, 1, 31))
    assert [row.payment for row in rows] == [D("8884.88")] * 11 + [D("8884.85")]
    assert rows[0].interest == D("1000.00")
    assert rows[0].balance == D("92115.12")
    assert rows[-1].principal == D("8796.88")
    assert rows[-1].interest == D("87.97")
    assert sum(row.interest for row in rows) == D("6618.53")


def test_equal_principal_known_schedule():
    """120,000 at 12 % over 12 months: 10,000 principal, interest on the balance."""
    rows = schedule(D("120000"), D("0.12"), 12, "equal_principal", date(2026, 1, 15))
    assert {row.principal for row in rows} == {D("10000.00")}
    assert [row.interest for row in rows] == [D(100 * n) for n in range(12, 0, -1)]
    assert rows[0].payment == D("11200.00")
    assert rows[-1].payment == D("10100.00")
    assert sum(row.interest for row in rows) == D("7800.00")


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize(
    ("principal", "rate", "months"),
    [
        ("285600.00", "0.0688", 36),
        ("350000.00", "0.0599", 24),
        ("100.00", "0.24", 7),
        ("0.07", "0.05", 3),
        ("99999.99", "0", 13),
        ("1234567.89", "0.1", 60),
    ],
)
def test_sums_are_exact(method, principal, rate, months):
    rows = schedule(D(principal), D(rate), months, method, date(2026, 2, 28))
    assert len(rows) == months
    assert [row.period for row in rows] == list(range(1, months + 1))
    assert sum(row.principal for row in rows) == D(principal)
    assert rows[-1].balance == 0
    balance = D(principal)
    for row in rows:
        assert row.payment == row.principal + row.interest
        assert row.principal >= 0
        exact = balance * D(rate) / 12
        assert row.interest == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
        balance -= row.principal
        assert row.balance == balance
        for value in (row.payment, row.principal, row.interest, row.balance):
            assert value == value.quantize(D("0.01"))


def test_equal_installment_payments_differ_only_in_the_last_period():
    rows = schedule(D("285600"), D("0.0688"), 36, "equal_installment", date(2026, 1, 1))
    assert len({row.payment for row in rows[:-1]}) == 1
    assert abs(rows[-1].payment - rows[0].payment) < D("0.50")


def test_no_interest_without_a_rate():
    rows = schedule(D("100"), D("0"), 3, "equal_installment", date(2026, 1, 15))
    assert [row.payment for row in rows] == [D("33.33"), D("33.33"), D("33.34")]
    assert all(row.interest == 0 for row in rows)


def test_due_dates_keep_the_day_and_clamp_to_month_end():
    rows = schedule(D("1200"), D("0.06"), 14, "equal_principal", date(2027, 12, 31))
    assert [row.due_date for row in rows[:4]] == [
        date(2027, 12, 31),
        date(2028, 1, 31),
        date(2028, 2, 29),  # leap year
        date(2028, 3, 31),  # back to the 31st, not stuck at the 29th
    ]
    assert rows[4].due_date == date(2028, 4, 30)
    assert rows[-1].due_date == date(2029, 1, 31)


def test_due_dates_on_an_ordinary_day():
    rows = schedule(D("1200"), D("0.06"), 3, "equal_installment", date(2026, 11, 29))
    assert [row.due_date for row in rows] == [
        date(2026, 11, 29),
        date(2026, 12, 29),
        date(2027, 1, 29),
    ]


@pytest.mark.parametrize(
    ("principal", "rate", "months", "method", "message"),
    [
        ("0", "0.05", 12, "equal_installment", "principal"),
        ("-1", "0.05", 12, "equal_installment", "principal"),
        ("100.005", "0.05", 12, "equal_installment", "principal"),
        ("100", "-0.01", 12, "equal_installment", "rate"),
        ("100", "0.05", 0, "equal_installment", "term"),
        ("100", "0.05", 12, "balloon", "method"),
    ],
)
def test_impossible_schedules(principal, rate, months, method, message):
    with pytest.raises(ValueError, match=message):
        schedule(D(principal), D(rate), months, method, date(2026, 1, 1))
