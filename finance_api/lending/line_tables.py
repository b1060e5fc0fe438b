"""Tables of the credit-line projection: each line's state, and its postings.

They share the ledger's metadata (one schema, one Alembic history: created by
``ledger/storage/migrations/versions/0009_lending.py``) but belong to lending: only
:mod:`finance_api.lending.line_projector` writes them, in the append's transaction, and
``threeflow rebuild lending.credit_lines`` recomputes them from the log. A line's balance
(principal + interest + fees) always equals the sum of its postings.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq


class CreditLineRow(Base):
    """One revolving line: limit, what it owes by component, status and delinquency."""

    __tablename__ = "lending_credit_lines"

    line_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    borrower: Mapped[str] = mapped_column(String(200), index=True)
    lender: Mapped[str] = mapped_column(String(200), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    limit_minor: Mapped[int] = mapped_column(BigInteger)
    expires_on: Mapped[date | None] = mapped_column(Date)
    rate_bp: Mapped[int | None] = mapped_column(Integer)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    interest_minor: Mapped[int] = mapped_column(BigInteger)
    fees_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    freeze_reason: Mapped[str | None] = mapped_column(String(32))
    arrears_minor: Mapped[int] = mapped_column(BigInteger)
    days_past_due: Mapped[int] = mapped_column(Integer)
    dpd_as_of: Mapped[date | None] = mapped_column(Date)
    defaulted_minor: Mapped[int] = mapped_column(BigInteger)
    recovered_minor: Mapped[int] = mapped_column(BigInteger)
    written_off_minor: Mapped[int] = mapped_column(BigInteger)
    opened_seq: Mapped[int] = mapped_column(Seq)
    updated_seq: Mapped[int] = mapped_column(Seq)


class CreditLinePosting(Base):
    """A signed change of one component of a line's balance, made by the entry ``seq``."""

    __tablename__ = "lending_credit_line_postings"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    component: Mapped[str] = mapped_column(String(16), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(200), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    posted_on: Mapped[date | None] = mapped_column(Date)  # the entry's date (accrual days)
