"""Daily interest, ACT/365 Fixed, in integer minor units: the one rule every part shares.

Interest accrues each calendar day on that day's closing principal at ``annual_rate_bp /
10_000 / 365`` (ACT/365 Fixed: every day is 1/365 of a year, leap years included). Only
principal earns interest: posted interest and fees do not (no compounding). The accrual is
kept exact, as an integer count of 1/3,650,000ths of a minor unit, and rounded half up to a
minor unit only when a period's interest is posted; the rounding difference (at most half a
minor unit either way) is carried into the next period. So the interest charged over a
facility's life is always the exact accrual rounded half up once: it never drifts from the
exact figure by more than half a minor unit, whatever the number of postings.

The finance service's projectors check each posting against this rule and the simulation
posts by it, so both live here, in the pure core, which imports neither of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

YEAR_DAYS = 365
BP = 10_000
SCALE = BP * YEAR_DAYS
"""The accrual unit: 1/SCALE of a minor unit per (minor unit x basis point x day)."""


class InterestInputError(ValueError):
    """A negative rate, a period that ends before it starts, a carry out of range."""


@dataclass(frozen=True, slots=True)
class Accrual:
    """Interest to post for a period, and the exact remainder carried to the next one."""

    interest: int
    carry: int  # in 1/SCALE of a minor unit, -SCALE/2 <= carry < SCALE/2


def daily_principal(
    opening: int, changes: Iterable[tuple[date, int]], start: date, end: date
) -> list[int]:
    """Each day's closing principal from ``start`` to ``end`` (exclusive), given the opening
    principal and the signed changes (drawdowns positive, principal repaid negative)."""
    if end < start:
        raise InterestInputError("a period ends before it starts")
    by_day: dict[date, int] = {}
    for day, delta in changes:
        if start <= day < end:
            by_day[day] = by_day.get(day, 0) + delta
    out, balance, day = [], opening, start
    while day < end:
        balance += by_day.get(day, 0)
        out.append(balance)
        day += timedelta(days=1)
    return out


def exact(balances: Iterable[int], annual_rate_bp: int) -> int:
    """The exact accrual on the daily balances, in 1/SCALE of a minor unit."""
    if annual_rate_bp < 0:
        raise InterestInputError("an interest rate cannot be negative")
    return sum(max(0, b) for b in balances) * annual_rate_bp


def accrue(balances: Iterable[int], annual_rate_bp: int, carry: int = 0) -> Accrual:
    """Interest on the daily balances at the annual rate, rounded half up, carrying the rest."""
    total = carry + exact(balances, annual_rate_bp)
    interest = (total + SCALE // 2) // SCALE
    return Accrual(interest, total - interest * SCALE)


def due_since_start(
    changes: Iterable[tuple[date, int]], end: date, annual_rate_bp: int, posted: int
) -> int:
    """What the next interest posting, dated ``end`` (exclusive), must be: the exact accrual
    on every principal change before ``end`` (from the first one), rounded half up, less the
    interest ``posted`` already. Equal to posting each period with its carry, from the
    postings alone. Computed a run of equal days at a time (the same sum as
    :func:`daily_principal` and :func:`exact`, without a list of days).
    """
    if annual_rate_bp < 0:
        raise InterestInputError("an interest rate cannot be negative")
    dated = sorted((day, delta) for day, delta in changes if day < end)
    total, balance = 0, 0
    ends = [day for day, _ in dated[1:]] + [end] if dated else []
    for (day, delta), nxt in zip(dated, ends, strict=True):
        balance += delta
        total += max(0, balance) * (nxt - day).days
    return accrue((), annual_rate_bp, total * annual_rate_bp).interest - posted
