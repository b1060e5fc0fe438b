"""Daily interest of a line over a period, from its dated principal postings.

One query: every principal posting of the line before the period's end; the opening
principal is what was posted before ``start``, and each day's closing principal follows
from the postings of that day. The accrual itself is the pure ACT/365 rule of
:mod:`.rules.interest` (exact, rounded half up once, the remainder carried).

The projector checks each ``credit_line.interest_posted`` against it: the amount must be
the exact accrual on the line's principal since its first drawdown, at the line's annual
``rate_bp`` (none agreed, none accrues), rounded half up, less what was posted before; the
posting covers the days up to its ``period_end`` (inclusive), else up to the day before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from finance_api.lending.errors import InterestMismatch
from finance_api.lending.line_tables import CreditLinePosting
from finance_api.lending.rules.interest import Accrual, accrue, daily_principal
from finance_api.lending.rules.lines import Line
from ledger.core.interest import due_since_start


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


Pending = tuple[str, date, int]
"""A posting of the batch not yet written: component, date, amount."""


def expected_interest(connection: Connection, line_id: str, end: date, annual_rate_bp: int,
                      pending: Iterable[Pending] = ()) -> int:  # fmt: skip
    """What an interest posting covering the days before ``end`` must charge: the exact
    accrual on the line's dated principal since its first drawdown, rounded half up, less
    the interest posted already (the carry, recomputed from the postings alone)."""
    p = CreditLinePosting
    rows = connection.execute(
        select(p.component, p.posted_on, p.amount_minor).where(
            p.line_id == line_id, p.component.in_(("principal", "interest"))
        )
    ).all()
    every = [(c, day, int(amount)) for c, day, amount in rows if day is not None]
    every += list(pending)
    changes = [(day, amount) for c, day, amount in every if c == "principal" and day < end]
    posted = sum(amount for c, _, amount in every if c == "interest" and amount > 0)
    return due_since_start(changes, end, annual_rate_bp, posted)


def check_interest(connection: Connection, line: Line, payload: Mapping[str, Any], on: date,
                   pending: Iterable[Pending] = ()) -> None:  # fmt: skip
    """Refuse a ``credit_line.interest_posted`` that is not the accrual; see the module."""
    named = payload.get("period_end")
    end = on if named is None else date.fromisoformat(str(named)) + timedelta(days=1)
    amount = int(payload["amount"]["amount_minor"])
    rate = line.rate_bp or 0
    due = expected_interest(connection, line.line_id, end, rate, pending)
    if amount != due:
        raise InterestMismatch(
            f"line {line.line_id} accrued {due} minor units of interest (ACT/365 at {rate} bp "
            f"a year on its daily principal, rounded half up) up to "
            f"{end - timedelta(days=1)}; {amount} was posted",
            field="payload.amount",
        )
