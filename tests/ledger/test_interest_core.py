"""The shared ACT/365 rule: posting by ``due_since_start`` never drifts from the exact
accrual by more than half a minor unit, however the principal moves and however often
interest is posted, and it equals posting period by period with the rounding carried."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.interest import (
    SCALE,
    InterestInputError,
    accrue,
    daily_principal,
    due_since_start,
)

D0 = date(2024, 1, 1)
MOVES = st.lists(st.tuples(st.integers(0, 400), st.integers(-(10**9), 10**10)), max_size=20)
CUTS = st.lists(st.integers(0, 120), min_size=1, max_size=14)


def exact_to(moves: list[tuple[date, int]], end: date, rate: int) -> Fraction:
    """The exact accrual from first principles: each day's closing principal, one by one."""
    total, day = Fraction(0), min((d for d, _ in moves), default=end)
    while day < end:
        balance = sum(delta for d, delta in moves if d <= day)
        total += Fraction(max(0, balance) * rate, SCALE)
        day += timedelta(days=1)
    return total


@settings(max_examples=150, deadline=None)
@given(MOVES, CUTS, st.integers(0, 5_000))
def test_posted_interest_never_drifts_more_than_half_a_minor_unit(
    raw: list[tuple[int, int]], cuts: list[int], rate: int
) -> None:
    moves = [(D0 + timedelta(days=d), delta) for d, delta in raw]
    posted, end, carry, carried_total = 0, D0, 0, 0
    for cut in cuts:
        start, end = end, end + timedelta(days=cut)
        due = due_since_start(moves, end, rate, posted)
        posted += due
        assert abs(posted - exact_to(moves, end, rate)) <= Fraction(1, 2)
        # the same as each period posted on its own with the carry
        opening = sum(delta for d, delta in moves if d < start)
        period = accrue(daily_principal(opening, moves, start, end), rate, carry)
        carry, carried_total = period.carry, carried_total + period.interest
        assert due == period.interest
    assert posted == carried_total


def test_a_worked_example_and_the_bad_inputs() -> None:
    moves = [(D0, 100_000), (D0 + timedelta(days=10), 50_000)]
    # 10 days on 1,000.00 and 1 on 1,500.00 at 10%: 3.1507 -> 3.15, then nothing twice
    assert due_since_start(moves, D0 + timedelta(days=11), 1_000, 0) == 315
    assert due_since_start(moves, D0 + timedelta(days=11), 1_000, 315) == 0
    assert due_since_start([], D0, 1_000, 0) == 0
    with pytest.raises(InterestInputError):
        due_since_start(moves, D0, -1, 0)
    with pytest.raises(InterestInputError):
        daily_principal(0, [], D0, D0 - timedelta(days=1))
