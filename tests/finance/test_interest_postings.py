"""Posted interest on receipt loans, on SQLite and PostgreSQL: only the daily ACT/365
accrual of the loan's own dated principal postings is accepted, rounding carried.

A 130,000.00 loan at 9% a year (the desk's rate) accrues 32.0548 a day.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from finance_api.domain import errors as e
from finance_api.receipts.tables import LoanRow, PostingRow
from tests.finance.desk import LENDERS, Desk, usd
from tests.finance.test_loans_storage import LOAN, owed, pledged_loan
from tests.finance.test_receipts_storage import refused

A = LENDERS[0]


def interest(desk: Desk, amount: int, days: float, **extra: object) -> None:
    desk.loan_act(A, "interest_posted", "loan-1", days=days, amount=usd(amount), **extra)


def post_of(desk: Desk, amount: int, days: float) -> Callable[[], None]:
    return lambda: interest(desk, amount, days)


def test_interest_other_than_the_accrual_is_refused_naming_the_amount_due(desk: Desk) -> None:
    pledged_loan(desk)
    # 31 days (the day of disbursement to the day before the posting) on 130,000.00 at 9%:
    # 13,000,000 x 900 x 31 / 3,650,000 = 99,369.86 -> 99,370 minor units
    postings = desk.count_rows(PostingRow)
    for wrong in (99_369, 99_371, 120_000):
        error = refused(desk, e.InterestMismatch, "payload.amount", post_of(desk, wrong, 31))
        assert error.code == "interest_mismatch"
        assert error.status == 422
        assert "99370" in str(error)
    assert desk.count_rows(PostingRow) == postings
    assert owed(desk) == (0, 0, LOAN)
    interest(desk, 99_370, 31)
    assert owed(desk) == (0, 99_370, LOAN)
    # the same period again: nothing more has accrued, so any interest is refused
    refused(desk, e.InterestMismatch, "payload.amount", lambda: interest(desk, 1, 31))


def test_the_next_period_carries_the_rounding_and_follows_repaid_principal(desk: Desk) -> None:
    pledged_loan(desk)
    interest(desk, 99_370, 31)  # 0.14 of a minor unit charged ahead
    # day 40: 3,000,000 + interest repaid: 99,370 to interest, 2,900,630 to principal
    desk.loan_act(A, "repaid", "loan-1", days=40, amount=usd(3_000_000))
    principal = LOAN - 2_900_630
    exact = Fraction(LOAN * 900 * 40 + principal * 900 * 20, 3_650_000)  # to day 60
    due = round(exact) - 99_370
    refused(desk, e.InterestMismatch, "payload.amount", lambda: interest(desk, due + 1, 60))
    interest(desk, due, 60)
    row = desk.row(LoanRow, loan_id="loan-1")
    assert (row.owed_interest, row.owed_principal) == (due, principal)
    assert abs(99_370 + due - exact) <= Fraction(1, 2)


def test_a_named_period_end_is_the_last_day_charged(desk: Desk) -> None:
    pledged_loan(desk)
    # posted on day 45 for the days up to day 29 inclusive: 30 days, 96,164.38 -> 96,164
    refused(desk, e.InterestMismatch, "payload.amount",
            lambda: interest(desk, 99_370, 45, period_end="2025-04-01"))  # fmt: skip
    interest(desk, 96_164, 45, period_end="2025-04-01")
    assert owed(desk) == (0, 96_164, LOAN)
