"""Daily interest, ACT/365 Fixed, in integer minor units, and the monthly statement.

Interest accrues each calendar day on that day's closing principal at ``annual_rate_bp /
10_000 / 365`` (ACT/365 Fixed: every day is 1/365 of a year, leap years included). Interest
is charged on principal only: posted interest and fees do not earn interest (no
compounding). The accrual is kept exact, as an integer count of 1/3,650,000ths of a minor
unit, and rounded half up to a minor unit only when the period's interest is posted; the
rounding difference (at most half a minor unit either way) is carried into the next period,
so over a line's life the interest charged never drifts from the exact accrual by more
than half a minor unit. The rule itself is the pure core's (:mod:`ledger.core.interest`),
shared with receipt loans and the simulation; here it answers in the lending errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from finance_api.lending.errors import InvalidSetting
from ledger.core import interest as core
from ledger.core.interest import SCALE, YEAR_DAYS, Accrual

__all__ = ["SCALE", "YEAR_DAYS", "Accrual", "Statement", "StatementPolicy", "accrue",
           "daily_principal", "statement"]  # fmt: skip


def daily_principal(
    opening: int, changes: Iterable[tuple[date, int]], start: date, end: date
) -> list[int]:
    """Each day's closing principal from ``start`` to ``end`` (exclusive); see the core."""
    try:
        return core.daily_principal(opening, changes, start, end)
    except core.InterestInputError as exc:
        raise InvalidSetting(str(exc), field="end") from exc


def accrue(balances: Iterable[int], annual_rate_bp: int, carry: int = 0) -> Accrual:
    """Interest on the daily balances at the annual rate, rounded half up, carrying the rest."""
    try:
        return core.accrue(balances, annual_rate_bp, carry)
    except core.InterestInputError as exc:
        raise InvalidSetting(str(exc), field="rate_bp") from exc


@dataclass(frozen=True, slots=True)
class Statement:
    """What a monthly statement says, in minor units."""

    statement_date: date
    opening_balance: int
    interest: int
    fees: int
    payments: int
    closing_balance: int
    amount_due: int
    due_date: date


@dataclass(frozen=True, slots=True)
class StatementPolicy:
    """How much falls due and when: ``instalments`` equal parts of the current balance
    (rounded up), at least ``minimum_due`` (capped at the balance), due ``due_days`` after
    the statement date; arrears are always due in full."""

    instalments: int = 3
    minimum_due: int = 0
    due_days: int = 25

    def __post_init__(self) -> None:
        if self.instalments < 1 or self.minimum_due < 0 or self.due_days < 0:
            raise InvalidSetting("instalments >= 1, minimum due and due days >= 0",
                                 field="statement_policy")  # fmt: skip


def statement(
    on: date,
    opening: int,
    interest: int,
    fees: int,
    payments: int,
    arrears: int,
    policy: StatementPolicy = StatementPolicy(),
) -> Statement:
    """The statement of a period: closing = opening + interest + fees - payments."""
    closing = opening + interest + fees - payments
    current = max(0, closing - arrears)
    instalment = min(current, max(ceil(current / policy.instalments), policy.minimum_due))
    due = min(closing, arrears + instalment)
    return Statement(on, opening, interest, fees, payments, closing, due,
                     on + timedelta(days=policy.due_days))  # fmt: skip
