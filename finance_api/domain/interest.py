"""Daily interest of a receipt loan, ACT/365 Fixed, in integer minor units.

The rule is the pure core's (:mod:`ledger.core.interest`), shared with credit lines and the
simulation: each calendar day accrues principal x annual rate / 365 (whatever the year),
on principal only; the accrual is kept exact and rounded half up when interest is posted,
the difference (at most half a minor unit) carried to the next period, so the interest
charged over a loan's life never drifts more than half a minor unit from the exact figure.
"""

from __future__ import annotations

from datetime import date

from finance_api.domain.errors import InvalidAmount
from ledger.core.interest import SCALE, Accrual
from ledger.core.interest import accrue as accrue_daily

DENOMINATOR = SCALE
"""The carry is kept in units of 1/DENOMINATOR of a minor unit."""

__all__ = ["DENOMINATOR", "Accrual", "accrue"]


def accrue(
    principal_minor: int, annual_rate_bp: int, start: date, end: date, carry: int = 0
) -> Accrual:
    """Interest from ``start`` (exclusive) to ``end`` (inclusive) on a constant principal."""
    if principal_minor < 0 or annual_rate_bp < 0:
        raise InvalidAmount("principal and rate cannot be negative", field="interest")
    if not -DENOMINATOR // 2 <= carry < DENOMINATOR // 2:
        raise InvalidAmount("the carried fraction is out of range", field="carry")
    days = max(0, (end - start).days)
    return accrue_daily([principal_minor] * days, annual_rate_bp, carry)
