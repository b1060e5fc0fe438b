"""Daily ACT/365 interest with its rounding carried, statements, buckets, EAD and EL."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance_api.lending.errors import InvalidSetting
from finance_api.lending.rules.delinquency import (
    BUCKETS,
    FreezePolicy,
    bucket,
    days_past_due_on,
    is_default,
)
from finance_api.lending.rules.exposure import (
    ExposureSettings,
    by_lender,
    ead,
    expected_loss,
    line_risks,
)
from finance_api.lending.rules.interest import (
    StatementPolicy,
    accrue,
    daily_principal,
    statement,
)
from finance_api.lending.rules.lines import Line, apply
from finance_api.lending.rules.servicing import due_acts
from ledger.core.event_types import REGISTRY

D0 = date(2024, 2, 1)


def test_a_leap_february_at_ten_percent_on_a_thousand_dollars() -> None:
    days = daily_principal(100_000, [], D0, date(2024, 3, 1))
    assert len(days) == 29  # ACT: the calendar's days, 1/365 each
    # 100,000 x 0.10 x 29 / 365 = 794.52 cents -> 795, carrying -0.48 cent
    out = accrue(days, 1_000)
    assert out.interest == 795
    assert Fraction(out.carry, 3_650_000) == Fraction(100_000 * 1_000 * 29, 3_650_000) - 795


def test_drawdowns_and_repayments_change_the_base_from_their_day() -> None:
    days = daily_principal(0, [(D0 + timedelta(days=10), 50_000), (D0 + timedelta(days=20),
                           -20_000)], D0, D0 + timedelta(days=30))  # fmt: skip
    assert days[:10] == [0] * 10
    assert days[10:20] == [50_000] * 10
    assert days[20:] == [30_000] * 10


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 10**9), min_size=1, max_size=31), max_size=24),
       st.integers(0, 5_000))  # fmt: skip
def test_carried_rounding_keeps_the_total_within_half_a_cent_of_exact(
    periods: list[list[int]], rate: int
) -> None:
    carry = charged = 0
    exact = Fraction(0)
    for balances in periods:
        out = accrue(balances, rate, carry)
        carry, charged = out.carry, charged + out.interest
        exact += Fraction(sum(balances) * rate, 3_650_000)
        assert abs(charged - exact) <= Fraction(1, 2)


def test_a_negative_rate_is_refused() -> None:
    with pytest.raises(InvalidSetting):
        accrue([1], -1)


def test_statement_closing_and_amount_due() -> None:
    out = statement(D0, 10_000, 100, 50, 3_000, arrears=1_000, policy=StatementPolicy(3))
    assert out.closing_balance == 7_150
    assert out.amount_due == 1_000 + 2_050  # arrears + a third of the rest, rounded up
    assert out.due_date == D0 + timedelta(days=25)


@pytest.mark.parametrize(
    ("dpd", "name"), [(0, "current"), (1, "1-29"), (29, "1-29"), (30, "30-59"), (59, "30-59"),
                      (60, "60-89"), (89, "60-89"), (90, "90+"), (400, "90+")],
)  # fmt: skip
def test_buckets_and_the_ninety_day_default(dpd: int, name: str) -> None:
    assert bucket(dpd) == name
    assert is_default(dpd) == (name == "90+")
    assert name in BUCKETS


def test_days_past_due_grow_with_the_calendar_and_freeze_at_the_policy() -> None:
    line = Line("l", "b", "bank", "USD", 10_000, principal=5_000, arrears=1_000,
                days_past_due=10, dpd_as_of=D0)  # fmt: skip
    assert days_past_due_on(line, D0 + timedelta(days=19)) == 29
    policy = FreezePolicy(30)
    assert policy.reason(line, D0 + timedelta(days=19)) is None
    assert policy.reason(line, D0 + timedelta(days=20)) == "past_due"
    current = Line("l", "b", "bank", "USD", 10_000)
    assert policy.reason(current, D0, covenant_breached=True) == "covenant_breach"
    with pytest.raises(InvalidSetting):
        FreezePolicy(0)


def test_ead_adds_the_converted_undrawn_part_and_el_is_pd_lgd_ead() -> None:
    line = Line("l", "b", "bank", "USD", 100_000, principal=30_000, interest=1_000)
    assert ead(line) == 31_000 + 27_600  # 40% of 69,000
    assert ead(line, cancellable=True) == 31_000 + 6_900
    assert ead(Line("l", "b", "bank", "USD", 100_000, principal=30_000, status="defaulted")) == (
        30_000
    )
    assert expected_loss(20_000, 4_500, 58_600) == 527  # 2% x 45% x 586.00 = 5.274
    with pytest.raises(InvalidSetting):
        ExposureSettings(ccf_bp=10_001)


def test_per_lender_sums_and_an_unscored_borrower_counts_as_certain_default() -> None:
    lines = [
        Line("a", "b1", "bank", "USD", 10_000, principal=10_000),
        Line("b", "b2", "bank", "USD", 10_000),
        Line("c", "b1", "other", "USD", 10_000, principal=5_000, status="closed"),
    ]
    risks = line_risks(lines, {"b1": 100_000}, ExposureSettings(ccf_bp=5_000, lgd_bp=10_000))
    got = [(r.line_id, r.ead, r.expected_loss) for r in risks]
    assert got == [("a", 10_000, 1_000), ("b", 5_000, 5_000)]
    (bank,) = by_lender(risks)
    assert (bank.lender, bank.lines, bank.ead, bank.expected_loss) == ("bank", 2, 15_000, 6_000)


def test_servicing_freezes_at_the_policy_and_declares_default_at_ninety_days() -> None:
    late = Line("l", "b", "bank", "USD", 10_000, principal=6_000, arrears=2_000,
                days_past_due=29, dpd_as_of=D0)  # fmt: skip
    assert due_acts(late, D0) == []
    (freeze,) = due_acts(late, D0 + timedelta(days=1))
    assert freeze == ("credit_line.frozen", {"line_id": "l", "lender": "bank",
                                             "reason": "past_due"})  # fmt: skip
    frozen = apply(late, *freeze, D0 + timedelta(days=1))[0]
    (default,) = due_acts(frozen, D0 + timedelta(days=61))
    assert default[0] == "credit_line.defaulted"
    assert default[1]["days_past_due"] == 90
    assert default[1]["amount"] == {"amount_minor": 6_000, "currency": "USD"}
    REGISTRY.validate("finance", default[0], {**default[1]})
    defaulted = apply(frozen, *default, D0 + timedelta(days=61))[0]
    assert due_acts(defaulted, D0 + timedelta(days=100)) == []
    current = Line("l", "b", "bank", "USD", 10_000)
    assert due_acts(current, D0, covenant_breached=True)[0][1]["reason"] == "covenant_breach"
