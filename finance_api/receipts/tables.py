"""Tables of the warehouse-receipt projection: stock, receipts, pledges, loans, postings,
prices, margin calls and stock alerts.

All of them are a projection (``finance.receipts``): rebuilt from the log, compared row by
row on verification, written only by the projector in the append's own transaction.
Quantities are in milli-units, money in integer minor units beside its currency.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq

Minor = BigInteger().with_variant(Integer(), "sqlite")
_ID = String(200)


class StockRow(Base):
    """Goods a warehouse holds of one lot for one owner, from the logistics flow."""

    __tablename__ = "fin_stock"

    warehouse_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    lot_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    owner: Mapped[str] = mapped_column(_ID, primary_key=True)
    sku: Mapped[str] = mapped_column(_ID)
    unit: Mapped[str | None] = mapped_column(String(32))
    held_milli: Mapped[int] = mapped_column(Minor)
    received_milli: Mapped[int] = mapped_column(Minor)
    out_milli: Mapped[int] = mapped_column(Minor)  # lost, released, sold
    counted_milli: Mapped[int | None] = mapped_column(Minor)
    counted_seq: Mapped[int | None] = mapped_column(Seq)


class ReceiptRow(Base):
    """A warehouse receipt: what it covers now (``live_milli``) and who it is pledged to."""

    __tablename__ = "fin_receipts"

    receipt_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    warehouse_id: Mapped[str] = mapped_column(_ID)
    holder: Mapped[str] = mapped_column(_ID)
    lot_id: Mapped[str] = mapped_column(_ID)
    commodity: Mapped[str] = mapped_column(_ID)
    unit: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(_ID)
    insurance_ref: Mapped[str | None] = mapped_column(_ID)
    expires_on: Mapped[str | None] = mapped_column(String(10))
    document_hash: Mapped[str] = mapped_column(String(64), unique=True)
    quantity_milli: Mapped[int] = mapped_column(Minor)
    live_milli: Mapped[int] = mapped_column(Minor)
    value_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))  # live | cancelled | liquidated
    replaces: Mapped[str | None] = mapped_column(_ID)
    issued_seq: Mapped[int] = mapped_column(Seq)
    closed_seq: Mapped[int | None] = mapped_column(Seq)
    pledged_to: Mapped[str | None] = mapped_column(_ID)
    loan_id: Mapped[str | None] = mapped_column(_ID, index=True)

    __table_args__ = (Index("ix_fin_receipts_lot", "warehouse_id", "lot_id"),)


class PledgeRow(Base):
    """One pledge of a receipt to a lender; at most one per receipt is unreleased."""

    __tablename__ = "fin_pledges"

    pledged_seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    receipt_id: Mapped[str] = mapped_column(_ID)
    holder: Mapped[str] = mapped_column(_ID)
    lender: Mapped[str] = mapped_column(_ID)
    loan_id: Mapped[str | None] = mapped_column(_ID)
    released_seq: Mapped[int | None] = mapped_column(Seq)
    release_reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        # a second live pledge of a receipt cannot exist, whatever the code above it does
        Index(
            "uq_fin_pledges_live_receipt",
            "receipt_id",
            unique=True,
            sqlite_where=text("released_seq IS NULL"),
            postgresql_where=text("released_seq IS NULL"),
        ),
    )


class LoanRow(Base):
    """A loan: what is owed by bucket, its last valuation and its margin-call state."""

    __tablename__ = "fin_loans"

    loan_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    borrower: Mapped[str] = mapped_column(_ID, index=True)
    lender: Mapped[str] = mapped_column(_ID, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate_bp: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[str | None] = mapped_column(String(10))
    principal_minor: Mapped[int] = mapped_column(Minor)
    owed_fees: Mapped[int] = mapped_column(Minor)
    owed_interest: Mapped[int] = mapped_column(Minor)
    owed_principal: Mapped[int] = mapped_column(Minor)
    status: Mapped[str] = mapped_column(String(16))  # open|repaid|defaulted|written_off
    commodity: Mapped[str | None] = mapped_column(_ID, index=True)
    value_minor: Mapped[int | None] = mapped_column(Minor)
    ltv_bp: Mapped[int | None] = mapped_column(Integer)
    ltv_state: Mapped[str | None] = mapped_column(String(16))
    call_seq: Mapped[int | None] = mapped_column(Seq)
    call_cure_by: Mapped[str | None] = mapped_column(String(10))
    unmatched_sale_minor: Mapped[int] = mapped_column(Minor)
    surplus_minor: Mapped[int] = mapped_column(Minor)
    disbursed_seq: Mapped[int] = mapped_column(Seq)
    closed_seq: Mapped[int | None] = mapped_column(Seq)


class PostingRow(Base):
    """One posting to a loan: how it moved each bucket (the balance is their sum)."""

    __tablename__ = "fin_postings"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    loan_id: Mapped[str] = mapped_column(_ID, index=True)
    kind: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(Minor)
    fees_delta: Mapped[int] = mapped_column(Minor)
    interest_delta: Mapped[int] = mapped_column(Minor)
    principal_delta: Mapped[int] = mapped_column(Minor)
    surplus_minor: Mapped[int] = mapped_column(Minor)
    posted_on: Mapped[date | None] = mapped_column(Date)  # the entry's date: accrual needs it


class PriceRow(Base):
    """The last reference price of a commodity, from its price publisher."""

    __tablename__ = "fin_prices"

    commodity: Mapped[str] = mapped_column(_ID, primary_key=True)
    unit: Mapped[str] = mapped_column(String(32))
    price_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    seq: Mapped[int] = mapped_column(Seq)


class MarginCallRow(Base):
    """A margin call and how it ended (cured, liquidated, repaid)."""

    __tablename__ = "fin_margin_calls"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    loan_id: Mapped[str] = mapped_column(_ID, index=True)
    ltv_bp: Mapped[int] = mapped_column(Integer)
    cure_by: Mapped[str] = mapped_column(String(10))
    amount_due_minor: Mapped[int] = mapped_column(Minor)
    closed_seq: Mapped[int | None] = mapped_column(Seq)
    outcome: Mapped[str | None] = mapped_column(String(16))


class LtvMoveRow(Base):
    """A loan whose LTV moved to another band in the entry ``seq``: the facts (LTV, the
    collateral's value, quantity and price, the policy's points) the risk monitor turns
    into alerts for the lender. Recorded per entry, never updated, so a later projection
    reads by seq the same rows on append and on replay."""

    __tablename__ = "fin_ltv_moves"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    loan_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    band_from: Mapped[str | None] = mapped_column(String(16))
    band: Mapped[str] = mapped_column(String(16))
    ltv_bp: Mapped[int] = mapped_column(Integer)
    owed_minor: Mapped[int] = mapped_column(Minor)
    value_minor: Mapped[int] = mapped_column(Minor)
    quantity_milli: Mapped[int] = mapped_column(Minor)
    price_minor: Mapped[int | None] = mapped_column(Minor)
    advance_bp: Mapped[int] = mapped_column(Integer)
    margin_call_bp: Mapped[int] = mapped_column(Integer)
    liquidation_bp: Mapped[int] = mapped_column(Integer)


class AlertRow(Base):
    """A stock fact that disagrees with live receipts or the book (the Qingdao check)."""

    __tablename__ = "fin_stock_alerts"

    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    warehouse_id: Mapped[str] = mapped_column(_ID, index=True)
    lot_id: Mapped[str | None] = mapped_column(_ID)
    held_milli: Mapped[int] = mapped_column(Minor)
    covered_milli: Mapped[int] = mapped_column(Minor)
    counted_milli: Mapped[int | None] = mapped_column(Minor)


TABLES = tuple(
    model.__table__
    for model in (
        StockRow,
        ReceiptRow,
        PledgeRow,
        LoanRow,
        PostingRow,
        PriceRow,
        MarginCallRow,
        AlertRow,
        LtvMoveRow,
    )
)
