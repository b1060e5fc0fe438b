"""The pure credit-line rules: available amount, refusals, the payment waterfall, and money
conserved over random sequences of lender acts (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance_api.lending.errors import (
    BeyondAvailable,
    LendingError,
    LineClosed,
    LineCurrencyMismatch,
    LineDefaulted,
    LineExists,
    LineFrozen,
    LinePastDue,
    NotLineLender,
    Overpayment,
    StatementMismatch,
    UnknownLine,
    WrongState,
)
from finance_api.lending.rules.lines import Line, apply

DAY = date(2025, 3, 1)
LINE = "line-1"


def usd(minor: int, currency: str = "USD") -> dict[str, Any]:
    return {"amount_minor": minor, "currency": currency}


def act(line: Line | None, etype: str, on: date = DAY, lender: str = "bank", **extra: Any
        ) -> Line:  # fmt: skip
    payload = {"line_id": LINE, "lender": lender, **extra}
    return apply(line, f"credit_line.{etype}", payload, on)[0]


def opened(limit: int = 100_000, **extra: Any) -> Line:
    return act(None, "opened", borrower="shop", limit=usd(limit), **extra)


def test_available_is_the_limit_less_what_is_owed_and_repayment_restores_it() -> None:
    line = act(opened(), "drawn", amount=usd(60_000))
    line = act(line, "interest_posted", amount=usd(1_000))
    line = act(line, "fee_posted", amount=usd(500), fee="late_payment")
    assert line.balance == 61_500
    assert line.available(DAY) == 38_500
    with pytest.raises(BeyondAvailable) as refused:
        act(line, "drawn", amount=usd(38_501))
    assert refused.value.field == "payload.amount"
    assert refused.value.status == 422
    line = act(line, "repaid", amount=usd(20_000))
    assert line.available(DAY) == 58_500
    assert act(line, "drawn", amount=usd(58_500)).available(DAY) == 0


def test_a_payment_goes_to_fees_then_interest_then_principal() -> None:
    line = act(opened(), "drawn", amount=usd(10_000))
    line = act(line, "interest_posted", amount=usd(300))
    line = act(line, "fee_posted", amount=usd(200), fee="late_payment")
    _, postings = apply(line, "credit_line.repaid",
                        {"line_id": LINE, "lender": "bank", "amount": usd(400)}, DAY)  # fmt: skip
    assert [(p.component, p.amount) for p in postings] == [("fees", -200), ("interest", -200)]
    after = act(line, "repaid", amount=usd(400))
    assert (after.fees, after.interest, after.principal) == (0, 100, 10_000)


@pytest.mark.parametrize(
    ("prepare", "error"),
    [
        (lambda line: act(line, "frozen", reason="past_due"), LineFrozen),
        (lambda line: act(line, "frozen", reason="covenant_breach"), LineFrozen),
        (lambda line: act(line, "closed", reason="expired"), LineClosed),
        (lambda line: act(line, "closure_requested", lender="bank", borrower="shop"), LineClosed),
        (lambda line: act(line, "defaulted", amount=usd(0)), LineDefaulted),
        (
            lambda line: act(
                act(line, "drawn", amount=usd(5)), "past_due", days_past_due=3, amount=usd(1)
            ),
            LinePastDue,
        ),
    ],
)
def test_nothing_can_be_drawn_on_a_line_that_is_not_open_and_current(
    prepare: Any, error: type[LendingError]
) -> None:
    line = prepare(opened())
    assert line.available(DAY) == 0
    with pytest.raises(error):
        act(line, "drawn", amount=usd(1))


def test_nothing_can_be_drawn_after_expiry() -> None:
    line = opened(expires_on="2025-03-10")
    act(line, "drawn", DAY + timedelta(days=8), amount=usd(1))
    with pytest.raises(LineClosed):
        act(line, "drawn", DAY + timedelta(days=9), amount=usd(1))


def test_refusals_name_the_rule_and_the_field() -> None:
    line = act(opened(), "drawn", amount=usd(5_000))
    cases: list[tuple[Any, type[LendingError], str]] = [
        (lambda: act(None, "repaid", amount=usd(1)), UnknownLine, "payload.line_id"),
        (lambda: act(line, "drawn", lender="other", amount=usd(1)), NotLineLender,
         "payload.lender"),
        (lambda: act(line, "repaid", amount=usd(5_001)), Overpayment, "payload.amount"),
        (lambda: act(line, "drawn", amount=usd(1, "EUR")), LineCurrencyMismatch,
         "payload.amount.currency"),
        (lambda: act(line, "opened", borrower="shop", limit=usd(1)), LineExists,
         "payload.line_id"),
        (lambda: act(line, "unfrozen"), WrongState, "payload.line_id"),
        (lambda: act(line, "recovery_posted", amount=usd(1), source="borrower"), WrongState,
         "payload.line_id"),
        (lambda: act(line, "closed", reason="expired"), WrongState, "payload.line_id"),
        (lambda: act(line, "closure_requested", lender="bank", borrower="intruder"),
         NotLineLender, "payload.borrower"),
        (lambda: act(line, "closure_requested", lender="other", borrower="shop"),
         NotLineLender, "payload.lender"),
        (lambda: act(line, "drawn", borrower="someone-else", amount=usd(1)), NotLineLender,
         "payload.borrower"),
    ]  # fmt: skip
    for attempt, error, field in cases:
        with pytest.raises(error) as refused:
            attempt()
        assert refused.value.field == field
        assert 400 <= refused.value.status < 500


def test_a_statement_must_agree_with_the_postings() -> None:
    line = act(act(opened(), "drawn", amount=usd(7_000)), "interest_posted", amount=usd(70))
    body = {
        "statement_date": "2025-03-01",
        "opening_balance": usd(0),
        "interest": usd(70),
        "fees": usd(0),
        "payments": usd(0),
        "amount_due": usd(1),
        "due_date": "2025-03-20",
    }
    act(line, "statement_issued", closing_balance=usd(7_070), **body)
    with pytest.raises(StatementMismatch):
        act(line, "statement_issued", closing_balance=usd(7_000), **body)


def test_default_recovery_write_off_then_close() -> None:
    line = act(act(opened(), "drawn", amount=usd(9_000)), "defaulted", amount=usd(9_000))
    line = act(line, "recovery_posted", amount=usd(4_000), source="borrower")
    with pytest.raises(Overpayment):
        act(line, "written_off", amount=usd(5_001))
    line = act(line, "written_off", amount=usd(5_000))
    assert (line.balance, line.recovered, line.written_off) == (0, 4_000, 5_000)
    assert act(line, "closed", reason="written_off").status == "closed"


def test_a_payment_of_the_arrears_makes_the_line_current() -> None:
    line = act(act(opened(), "drawn", amount=usd(9_000)), "past_due", days_past_due=12,
               amount=usd(3_000))  # fmt: skip
    assert act(line, "repaid", amount=usd(2_999)).days_past_due == 12
    cured = act(line, "repaid", amount=usd(3_000))
    assert (cured.arrears, cured.days_past_due, cured.available(DAY)) == (0, 0, 94_000)


ACTS = st.one_of(
    st.tuples(st.just("drawn"), st.integers(0, 150_000)),
    st.tuples(st.just("repaid"), st.integers(0, 150_000)),
    st.tuples(st.just("interest_posted"), st.integers(0, 5_000)),
    st.tuples(st.just("fee_posted"), st.integers(0, 5_000)),
    st.tuples(st.sampled_from(["frozen", "unfrozen", "defaulted"]), st.just(0)),
    st.tuples(st.sampled_from(["recovery_posted", "written_off"]), st.integers(0, 150_000)),
    st.tuples(st.just("past_due"), st.integers(0, 50_000)),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 200_000), st.lists(ACTS, max_size=40))
def test_random_sequences_never_create_or_lose_money(limit: int, acts: list[Any]) -> None:
    """Whatever is accepted or refused: balance = sum of postings = drawn + charged - paid."""
    line = opened(limit)
    posted = flows = 0
    for name, amount in acts:
        extra: dict[str, Any] = {"amount": usd(amount)}
        if name == "fee_posted":
            extra["fee"] = "late_payment"
        elif name == "frozen":
            extra = {"reason": "review"}
        elif name == "unfrozen":
            extra = {}
        elif name == "recovery_posted":
            extra["source"] = "borrower"
        elif name == "past_due":
            extra["days_past_due"] = 5
        before = line
        try:
            line, postings = apply(line, f"credit_line.{name}",
                                   {"line_id": LINE, "lender": "bank", **extra}, DAY)  # fmt: skip
        except LendingError:
            assert line == before
            continue
        posted += sum(p.amount for p in postings)
        sign = 1 if name in ("drawn", "interest_posted", "fee_posted") else -1
        if name in ("drawn", "interest_posted", "fee_posted", "repaid", "recovery_posted",
                    "written_off"):  # fmt: skip
            flows += sign * amount
        assert line.balance == posted == flows
        assert min(line.principal, line.interest, line.fees, line.available(DAY)) >= 0
        if name == "drawn":
            assert before.status == "open"
            assert line.balance <= max(limit, before.balance)
