"""Posted interest on credit lines, on SQLite and PostgreSQL: the projector accepts only the
daily ACT/365 accrual of the line's dated principal (rounding carried), also within one
batch, and refuses anything else with the amount due, writing nothing."""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance_api.lending.errors import InterestMismatch
from ledger.log import Ledger
from tests.lending.lending_events import AT, line_act, usd
from tests.lending.test_line_projection import firms, fresh_line, line, postings_sum

__all__ = ["firms"]  # the fixture, used by name


def refused_interest(ledger: Ledger, events: list[Any], due: int) -> InterestMismatch:
    size, before = ledger.size(), None
    with pytest.raises(InterestMismatch) as caught:
        ledger.append_batch(events)
    assert caught.value.field == "payload.amount"
    assert caught.value.code == "interest_mismatch"
    assert caught.value.status == 422
    assert f"accrued {due} minor units" in str(caught.value)
    assert ledger.size() == size, before
    return caught.value


def test_interest_other_than_the_accrual_is_refused_also_within_a_batch(firms: Ledger) -> None:
    line_id = fresh_line(firms, 1_000_000, rate_bp=1_000)
    drawn = line_act(line_id, "drawn", amount=usd(100_000))
    # 30 days on 1,000.00 at 10% a year, ACT/365: 8.2192 -> 8.22
    at = AT + timedelta(days=30)
    for wrong in (821, 823, 1_000):
        refused_interest(firms, [drawn, line_act(line_id, "interest_posted", at=at,
                                                 amount=usd(wrong))], 822)  # fmt: skip
    assert postings_sum(firms, line_id) == 0  # the drawdown of the batch went too
    firms.append_batch([drawn, line_act(line_id, "interest_posted", at=at, amount=usd(822))])
    assert (line(firms, line_id).principal, line(firms, line_id).interest) == (100_000, 822)
    again = line_act(line_id, "interest_posted", at=at, amount=usd(1))
    refused_interest(firms, [again], 0)


def test_a_line_without_a_rate_accrues_nothing(firms: Ledger) -> None:
    line_id = fresh_line(firms, 1_000_000)
    firms.append(line_act(line_id, "drawn", amount=usd(100_000)))
    later = AT + timedelta(days=30)
    refused_interest(firms, [line_act(line_id, "interest_posted", at=later, amount=usd(822))], 0)


STEPS = st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["drawn", "repaid"]),
                           st.integers(1, 200_000)), min_size=1, max_size=8)  # fmt: skip


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(steps=STEPS, rate=st.integers(1, 4_000))
def test_posting_the_exact_accrual_rounded_is_always_accepted_and_never_drifts(
    firms: Ledger, steps: list[tuple[int, str, int]], rate: int
) -> None:
    """The test's own oracle (exact fractions, day by day) against the projector's rule."""
    line_id = fresh_line(firms, 10**9, rate_bp=rate)
    at, days, principal, posted, exact = AT, 0, 0, 0, Fraction(0)
    for gap, name, amount in steps:
        exact += Fraction(principal * rate * gap, 3_650_000)
        at, days = at + timedelta(days=gap), days + gap
        owed = line(firms, line_id)
        pay = min(amount, owed.balance) if name == "repaid" else amount
        if pay > 0:
            firms.append(line_act(line_id, name, at=at, amount=usd(pay)))
        due = math.floor(exact + Fraction(1, 2)) - posted  # half up, as the rule says
        if due > 0:
            refused_interest(firms, [line_act(line_id, "interest_posted", at=at,
                                              amount=usd(due + 1))], due)  # fmt: skip
            firms.append(line_act(line_id, "interest_posted", at=at, amount=usd(due)))
            posted += due
        principal = line(firms, line_id).principal
        assert abs(posted - exact) <= Fraction(1, 2)
    assert line(firms, line_id).balance == postings_sum(firms, line_id)
