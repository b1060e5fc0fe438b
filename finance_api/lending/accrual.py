"""Daily interest of a line over a period, from its dated principal postings.

One query: every principal posting of the line before the period's end; the opening
principal is what was posted before ``start``, and each day's closing principal follows
from the postings of that day. The accrual itself is the pure ACT/365 rule of
:mod:`.rules.interest` (exact, rounded half up once, the remainder carried).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from finance_api.lending.line_tables import CreditLinePosting
from finance_api.lending.rules.interest import Accrual, accrue, daily_principal


def accrued_interest(connection: Connection, line_id: str, start: date, end: date,
                     annual_rate_bp: int, carry: int = 0) -> Accrual:  # fmt: skip
    """Interest on ``line_id``'s principal for the days ``start`` .. ``end`` (exclusive)."""
    p = CreditLinePosting
    rows = connection.execute(
        select(p.posted_on, p.amount_minor).where(
            p.line_id == line_id, p.component == "principal", p.posted_on < end
        )
    ).all()
    dated = [(day, int(amount)) for day, amount in rows if day is not None]
    opening = sum(amount for day, amount in dated if day < start)
    changes = [(day, amount) for day, amount in dated if day >= start]
    return accrue(daily_principal(opening, changes, start, end), annual_rate_bp, carry)
