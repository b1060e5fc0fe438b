"""Days past due, their buckets, default at 90 days, and when a line must be frozen.

Days past due count from the oldest unpaid amount's due date (the lender reports them with
``credit_line.past_due``; between reports they grow by the calendar). The buckets are the
industry's: current, 1-29, 30-59, 60-89, 90+; 90 days past due on a material obligation is
a default (Basel). A line is frozen when it is past due by ``freeze_dpd`` days or more, or
when a covenant is breached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from finance_api.lending.errors import InvalidSetting
from finance_api.lending.rules.lines import Line

Bucket = Literal["current", "1-29", "30-59", "60-89", "90+"]
BUCKETS: tuple[Bucket, ...] = ("current", "1-29", "30-59", "60-89", "90+")
DEFAULT_DPD = 90


def bucket(dpd: int) -> Bucket:
    if dpd < 0:
        raise InvalidSetting("days past due cannot be negative", field="days_past_due")
    if dpd == 0:
        return "current"
    if dpd < 30:
        return "1-29"
    if dpd < 60:
        return "30-59"
    if dpd < 90:
        return "60-89"
    return "90+"


def is_default(dpd: int) -> bool:
    return dpd >= DEFAULT_DPD


def days_past_due_on(line: Line, on: date) -> int:
    """Days past due on ``on``: the last report, grown by the days since, while in arrears."""
    if line.arrears <= 0 or line.dpd_as_of is None:
        return 0
    return line.days_past_due + max(0, (on - line.dpd_as_of).days)


@dataclass(frozen=True, slots=True)
class FreezePolicy:
    """A lender's freeze rule: past due by ``freeze_dpd`` days (1 = at the first day late)."""

    freeze_dpd: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.freeze_dpd <= DEFAULT_DPD:
            raise InvalidSetting("freeze_dpd must be within 1..90", field="freeze_dpd")

    def reason(self, line: Line, on: date, covenant_breached: bool = False) -> str | None:
        """Why an open line must be frozen on ``on`` (a ``credit_line.frozen`` reason), or None."""
        if line.status != "open":
            return None
        if days_past_due_on(line, on) >= self.freeze_dpd:
            return "past_due"
        if covenant_breached:
            return "covenant_breach"
        return None
