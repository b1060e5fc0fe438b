"""Tables of the receivables projection (``lending.receivables``): the documents that may be
financed, the disputes on orders, the financings and their postings.

Only :mod:`finance_api.lending.receivable_projector` writes them, in the append's own
transaction; created by ``0016_receivables``. A document is financed once: the unique
constraint on (kind, document id), and the one on the document's content key, refuse a
second financing row whatever the code above them does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq

_ID = String(200)


class ReceivableDocument(Base):
    """An ``order.placed`` or ``invoice.issued`` and what the information flow did to it."""

    __tablename__ = "receivable_documents"

    document_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # invoice|order
    seq: Mapped[int] = mapped_column(Seq)  # the issuing entry (an invoice's claim)
    seller: Mapped[str] = mapped_column(_ID)
    buyer: Mapped[str] = mapped_column(_ID)
    order_id: Mapped[str] = mapped_column(_ID)  # an invoice's order; an order's own id
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date | None] = mapped_column(Date)
    issues: Mapped[int] = mapped_column(Integer)  # more than one: ambiguous, never financed
    accepted: Mapped[bool] = mapped_column(Boolean)  # orders: the seller accepted
    cancelled: Mapped[bool] = mapped_column(Boolean)
    open_disputes: Mapped[int] = mapped_column(Integer)  # orders


class ReceivableDispute(Base):
    """A dispute opened by a party to an order, and whether it is still open."""

    __tablename__ = "receivable_disputes"

    dispute_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    order_id: Mapped[str] = mapped_column(_ID)
    open: Mapped[bool] = mapped_column(Boolean)


class ReceivableFinancing(Base):
    """One financing of one document by one lender (factoring or advance payment)."""

    __tablename__ = "receivable_financings"

    financing_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    document_kind: Mapped[str] = mapped_column(String(8))
    document_id: Mapped[str] = mapped_column(_ID)
    document_key: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str] = mapped_column(_ID, index=True)
    seller: Mapped[str] = mapped_column(_ID, index=True)
    debtor: Mapped[str] = mapped_column(_ID, index=True)
    lender: Mapped[str] = mapped_column(_ID, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    face: Mapped[int] = mapped_column(BigInteger)
    advance_rate_bp: Mapped[int] = mapped_column(Integer)
    advanced: Mapped[int] = mapped_column(BigInteger)
    reserve: Mapped[int] = mapped_column(BigInteger)
    fee_bp: Mapped[int] = mapped_column(Integer)
    fee_period_days: Mapped[int] = mapped_column(Integer)
    recourse: Mapped[bool] = mapped_column(Boolean)
    due_date: Mapped[date] = mapped_column(Date)
    financed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # open|settled|written_off|converted
    collected: Mapped[int] = mapped_column(BigInteger)
    recourse_paid: Mapped[int] = mapped_column(BigInteger)
    fee: Mapped[int] = mapped_column(BigInteger)
    rebate: Mapped[int] = mapped_column(BigInteger)
    written_off: Mapped[int] = mapped_column(BigInteger)
    converted: Mapped[int] = mapped_column(BigInteger)
    loan_id: Mapped[str | None] = mapped_column(_ID)
    last_in_on: Mapped[date | None] = mapped_column(Date)
    financed_seq: Mapped[int] = mapped_column(Seq)
    updated_seq: Mapped[int] = mapped_column(Seq)

    __table_args__ = (
        # one financing per document, ever, by whichever lender
        UniqueConstraint("document_kind", "document_id", name="uq_receivable_financings_document"),
        UniqueConstraint("document_key", name="uq_receivable_financings_key"),
    )


class ReceivablePosting(Base):
    """A signed change of what the lender is owed on a financing, made by the entry ``seq``."""

    __tablename__ = "receivable_postings"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    component: Mapped[str] = mapped_column(String(16), primary_key=True)
    financing_id: Mapped[str] = mapped_column(_ID)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    posted_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_receivable_postings_financing", "financing_id", "seq"),)


TABLES = (ReceivableDocument.__table__, ReceivableDispute.__table__,
          ReceivableFinancing.__table__, ReceivablePosting.__table__)  # fmt: skip
