"""Collateral rules: the figures of the domain worked by hand, and properties over all inputs.

Figures: 100 t at 2,000.00 with a 5% quality deduction is worth 190,000.00; at a 70%
advance the loan is 133,000.00; the margin-call price at 80% is 1,750.00 and the
liquidation price at 90% is 1,555.56 (rounded up, in the lender's favour).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finance_api.domain.collateral import (
    BP,
    CollateralPolicy,
    LtvState,
    collateral_value,
    critical_price,
    cure_paydown,
    ltv_bp,
    ltv_state,
    max_advance,
)
from finance_api.domain.errors import InvalidAmount

POLICY = CollateralPolicy(advance_bp=7000, margin_call_bp=8000, liquidation_bp=9000, haircut_bp=500)


def test_the_worked_example() -> None:
    value = collateral_value(100_000, 200_000, 250_000, POLICY.haircut_bp)
    assert value == 19_000_000
    loan = max_advance(value, POLICY)
    assert loan == 13_300_000
    assert ltv_bp(loan, value) == 7000
    assert critical_price(loan, 100_000, 500, POLICY.margin_call_bp) == 175_000
    assert critical_price(loan, 100_000, 500, POLICY.liquidation_bp) == 155_556


def test_the_reference_price_is_the_lower_of_market_and_receipt() -> None:
    assert collateral_value(1000, 500, 400, 0) == 400
    assert collateral_value(1000, 300, 400, 0) == 300


def test_states_at_the_points() -> None:
    value = 10_000
    assert ltv_state(6999, value, POLICY) is LtvState.HEALTHY
    assert ltv_state(8000, value, POLICY) is LtvState.MARGIN_CALL
    assert ltv_state(9000, value, POLICY) is LtvState.LIQUIDATION
    assert ltv_state(1, 0, POLICY) is LtvState.LIQUIDATION
    assert ltv_state(0, 0, POLICY) is LtvState.HEALTHY


@pytest.mark.parametrize(
    ("advance", "call", "liquidation"), [(8000, 8000, 9000), (7000, 9500, 9000), (0, 1, 2)]
)
def test_a_policy_out_of_order_is_refused(advance: int, call: int, liquidation: int) -> None:
    with pytest.raises(InvalidAmount):
        CollateralPolicy(advance_bp=advance, margin_call_bp=call, liquidation_bp=liquidation)


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(InvalidAmount):
        collateral_value(-1, 100, 100, 0)
    with pytest.raises(InvalidAmount):
        ltv_bp(-5, 100)


amounts = st.integers(min_value=0, max_value=10**15)


@given(outstanding=amounts, value=st.integers(min_value=1, max_value=10**15))
def test_ltv_rounds_up_and_brackets_the_ratio(outstanding: int, value: int) -> None:
    ratio = ltv_bp(outstanding, value)
    assert ratio * value >= outstanding * BP
    assert (ratio - 1) * value < outstanding * BP or outstanding == 0


@given(value=amounts)
def test_the_advance_never_exceeds_the_advance_rate(value: int) -> None:
    loan = max_advance(value, POLICY)
    assert loan * BP <= value * POLICY.advance_bp
    assert ltv_state(loan, value, POLICY) is LtvState.HEALTHY or value == 0


@given(outstanding=amounts, value=st.integers(min_value=1, max_value=10**15))
def test_paying_the_cure_amount_restores_the_advance_rate(outstanding: int, value: int) -> None:
    rest = outstanding - cure_paydown(outstanding, value, POLICY)
    assert rest <= max_advance(value, POLICY)
    assert ltv_state(rest, value, POLICY) is LtvState.HEALTHY


@given(
    outstanding=st.integers(min_value=1, max_value=10**12),
    quantity=st.integers(min_value=1, max_value=10**9),
    point=st.integers(min_value=1, max_value=BP),
)
def test_the_critical_price_is_the_lowest_price_within_the_point(
    outstanding: int, quantity: int, point: int
) -> None:
    """Exactly: outstanding / (quantity/1000 x price x (1 - haircut)) <= point at the
    critical price, and > point one minor unit below it."""
    price = critical_price(outstanding, quantity, POLICY.haircut_bp, point)

    def within(p: int) -> bool:
        return outstanding * 1000 * BP * BP <= quantity * p * (BP - POLICY.haircut_bp) * point

    assert within(price)
    assert not within(price - 1)
