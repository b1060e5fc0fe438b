"""Pure rules of warehouse finance: valuation, policies, ACT/365 interest, the waterfall."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finance_api.domain.errors import InvalidAmount
from finance_api.domain.interest import DENOMINATOR, accrue
from finance_api.domain.policies import BOOK, DEFAULT, add_business_days
from finance_api.domain.quantities import to_milli
from finance_api.domain.valuation import covered, receipt_value
from finance_api.domain.waterfall import Owed, allocate
from simulations.tables import SECTORS

money = st.integers(min_value=0, max_value=10**12)


def test_the_default_policy_is_70_80_90_and_five_business_days() -> None:
    assert (DEFAULT.advance_bp, DEFAULT.margin_call_bp, DEFAULT.liquidation_bp) == (
        7000,
        8000,
        9000,
    )
    assert DEFAULT.cure_business_days == 5
    assert BOOK.policy_for("unheard-of-commodity") == DEFAULT
    assert BOOK.policy_for("aluminium").haircut_bp == 300


def test_the_simulation_lends_by_the_same_book_as_the_ledger() -> None:
    for sector in SECTORS:
        ours = BOOK.policy_for(sector.commodity)
        theirs = sector.collateral_policy(ours.cure_business_days)
        assert ours == theirs, sector.name


def test_business_days_skip_the_weekend() -> None:
    friday = date(2025, 3, 7)
    assert add_business_days(friday, 1) == date(2025, 3, 10)
    assert add_business_days(date(2025, 3, 3), 5) == date(2025, 3, 10)


def test_collateral_is_the_lowest_of_market_and_receipt_value_less_the_haircut() -> None:
    # 100 t under a receipt worth 200,000.00; 3% haircut
    assert receipt_value(100_000, 100_000, 20_000_000, None, 300) == 19_400_000
    assert receipt_value(100_000, 100_000, 20_000_000, 250_000, 300) == 19_400_000
    assert receipt_value(100_000, 100_000, 20_000_000, 160_000, 300) == 15_520_000
    assert receipt_value(50_000, 100_000, 20_000_000, None, 0) == 10_000_000  # half is left
    assert receipt_value(0, 100_000, 20_000_000, 1, 0) == 0


@given(
    q=st.integers(0, 10**9),
    total=st.integers(1, 10**9),
    value=money,
    price=st.none() | money,
    haircut=st.integers(0, 9999),
)
def test_valuation_never_exceeds_either_price(
    q: int, total: int, value: int, price: int | None, haircut: int
) -> None:
    q = min(q, total)
    worth = receipt_value(q, total, value, price, haircut)
    assert 0 <= worth <= value * q // total
    if price is not None:
        assert worth <= price * q // 1000


def test_quantities_are_exact_to_a_thousandth() -> None:
    assert to_milli(12.5, field="q") == 12_500
    assert to_milli("0.001", field="q") == 1
    with pytest.raises(InvalidAmount) as caught:
        to_milli(0.0004, field="payload.quantity")
    assert caught.value.field == "payload.quantity"


def test_act_365_interest_on_a_worked_example() -> None:
    # 1,000,000.00 at 9% for 31 days: 100,000,000 x 0.09 x 31 / 365 = 764,383.56 -> 764,384
    # (rounded half up), carrying -0.44 of a cent into the next period
    done = accrue(100_000_000, 900, date(2025, 1, 1), date(2025, 2, 1))
    assert done.interest == 764_384
    assert done.carry == 100_000_000 * 900 * 31 - 764_384 * DENOMINATOR
    assert accrue(100_000_000, 900, date(2024, 2, 1), date(2024, 3, 1)).interest == 715_068


@given(principal=money, rate=st.integers(0, 5000), cuts=st.lists(st.integers(0, 40), max_size=12))
def test_interest_in_periods_sums_to_the_interest_of_the_whole(
    principal: int, rate: int, cuts: list[int]
) -> None:
    start = day = date(2025, 1, 1)
    charged, carry = 0, 0
    for length in cuts:
        nxt = day + timedelta(days=length)
        part = accrue(principal, rate, day, nxt, carry)
        charged, carry, day = charged + part.interest, part.carry, nxt
    whole = accrue(principal, rate, start, day)
    assert (charged, carry) == (whole.interest, whole.carry)  # nothing leaks by rounding


@given(fees=money, interest=money, principal=money, amount=money)
def test_the_waterfall_pays_fees_then_interest_then_principal(
    fees: int, interest: int, principal: int, amount: int
) -> None:
    left, paid = allocate(Owed(fees, interest, principal), amount)
    assert paid.applied + paid.surplus == amount  # no money created or lost
    assert left.total + paid.applied == fees + interest + principal
    assert paid.interest == 0 or paid.fees == fees
    assert paid.principal == 0 or paid.interest == interest
    assert paid.surplus == 0 or left.total == 0


@given(
    q=st.integers(0, 10**9),
    total=st.integers(1, 10**9),
    value=money,
    price=st.none() | money,
    haircut=st.integers(0, 9999),
)
def test_valuation_equals_the_exact_fraction_rounded_down(
    q: int, total: int, value: int, price: int | None, haircut: int
) -> None:
    """The integer-only rule against a naive oracle in exact fractions."""
    reference = Fraction(value * q, total)
    if price is not None:
        reference = min(reference, Fraction(price * q, 1000))
    expected = int(reference * (10_000 - haircut) / 10_000) if q else 0
    assert receipt_value(q, total, value, price, haircut) == expected


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8),
       st.integers(min_value=0, max_value=10**10))  # fmt: skip
def test_receipts_on_a_lot_never_count_more_than_it_holds(lives: list[int], held: int) -> None:
    total = sum(lives)
    counted = [covered(live, held, total) for live in lives]
    assert sum(counted) <= held
    assert all(0 <= c <= live for c, live in zip(counted, lives, strict=True))
    if total <= held:
        assert counted == lives  # a lot that holds enough backs every receipt in full
