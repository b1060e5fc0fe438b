"""Posted interest checked against the daily ACT/365 accrual the loan's postings imply.

A lender may post interest only as the ledger's rule computes it (:mod:`ledger.core.
interest`): each day's closing principal, from the dated principal postings of the loan,
at the loan's annual rate (``rate_bp`` of its disbursement; none agreed, none accrues),
exact until posted, rounded half up, the rounding carried. The posting covers the days up
to its ``period_end`` (inclusive) when it names one, else up to the day before it is posted;
anything else is refused with the amount expected, and nothing is written.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, bindparam, func, select

from finance_api.domain.errors import InterestMismatch
from finance_api.receipts import facts
from finance_api.receipts.records import Loan
from finance_api.receipts.tables import PostingRow
from ledger.core.entry import LedgerEntry
from ledger.core.interest import due_since_start


def period_end(entry: LedgerEntry) -> date:
    """The first day the posting does not cover."""
    named = facts.optional(entry, "period_end")
    if named is None:
        return facts.day(entry)
    return facts.parse_date(named, "payload.period_end") + timedelta(days=1)


_P = PostingRow
_PRINCIPAL_MOVES = select(_P.posted_on, _P.principal_delta).where(
    _P.loan_id == bindparam("id"), _P.principal_delta != 0, _P.posted_on < bindparam("end")
)
_INTEREST_POSTED = select(func.coalesce(func.sum(_P.amount_minor), 0)).where(
    _P.loan_id == bindparam("id"), _P.kind == "interest"
)


def expected(connection: Connection, loan: Loan, end: date) -> int:
    """The interest a posting covering the days before ``end`` must charge."""
    moves = connection.execute(_PRINCIPAL_MOVES, {"id": loan.loan_id, "end": end}).all()
    posted = connection.execute(_INTEREST_POSTED, {"id": loan.loan_id}).scalar_one()
    changes = [(day, int(delta)) for day, delta in moves if day is not None]
    return due_since_start(changes, end, loan.rate_bp or 0, int(posted))


def check_posting(connection: Connection, entry: LedgerEntry, loan: Loan, amount: int) -> None:
    due = expected(connection, loan, period_end(entry))
    if amount != due:
        raise InterestMismatch(
            f"loan {loan.loan_id} accrued {due} minor units of interest (ACT/365 at "
            f"{loan.rate_bp or 0} bp a year on its daily principal, rounded half up) up to "
            f"{period_end(entry) - timedelta(days=1)}; {amount} was posted",
            field="payload.amount",
        )
