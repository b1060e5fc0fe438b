"""Daily interest, ACT/365, in integer minor units.

Interest accrues each calendar day on the principal outstanding at the end of the
previous day: principal x annual rate / 365 per day, whatever the year (ACT/365 Fixed).
Rounding: the accrual is kept exactly as a fraction of a minor unit and only whole minor
units are charged; the fraction carries to the next period, so over a loan's life the
interest charged is the exact accrual rounded down once, never more, and nothing leaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from finance_api.domain.collateral import BP
from finance_api.domain.errors import InvalidAmount

DAYS_IN_YEAR = 365
DENOMINATOR = BP * DAYS_IN_YEAR
"""The carry is kept in units of 1/DENOMINATOR of a minor unit."""


@dataclass(frozen=True, slots=True)
class Accrual:
    interest_minor: int
    carry: int  # in 1/DENOMINATOR of a minor unit, 0 <= carry < DENOMINATOR


def accrue(
    principal_minor: int, annual_rate_bp: int, start: date, end: date, carry: int = 0
) -> Accrual:
    """Interest from ``start`` (exclusive) to ``end`` (inclusive) on a constant principal."""
    if principal_minor < 0 or annual_rate_bp < 0:
        raise InvalidAmount("principal and rate cannot be negative", field="interest")
    if not 0 <= carry < DENOMINATOR:
        raise InvalidAmount("the carried fraction is out of range", field="carry")
    days = max(0, (end - start).days)
    exact = principal_minor * annual_rate_bp * days + carry
    whole, rest = divmod(exact, DENOMINATOR)
    return Accrual(whole, rest)
