"""finance.receipts: stock, receipts, pledges, loans and postings, prices, margin calls,
stock alerts (the warehouse-receipt financing projection)

Revision ID: 0009_receipts
Revises: 0008
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_receipts"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = (
    "fin_stock_alerts",
    "fin_stock",
    "fin_receipts",
    "fin_prices",
    "fin_postings",
    "fin_pledges",
    "fin_margin_calls",
    "fin_loans",
)


def upgrade() -> None:
    op.create_table(
        "fin_loans",
        sa.Column("loan_id", sa.String(length=200), nullable=False),
        sa.Column("borrower", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.String(length=10), nullable=True),
        sa.Column(
            "principal_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "owed_fees", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "owed_interest", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "owed_principal", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("commodity", sa.String(length=200), nullable=True),
        sa.Column(
            "value_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("ltv_bp", sa.Integer(), nullable=True),
        sa.Column("ltv_state", sa.String(length=16), nullable=True),
        sa.Column("call_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("call_cure_by", sa.String(length=10), nullable=True),
        sa.Column(
            "unmatched_sale_minor",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "surplus_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "disbursed_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "closed_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.PrimaryKeyConstraint("loan_id", name=op.f("pk_fin_loans")),
    )
    op.create_index(op.f("ix_fin_loans_borrower"), "fin_loans", ["borrower"], unique=False)
    op.create_index(op.f("ix_fin_loans_commodity"), "fin_loans", ["commodity"], unique=False)
    op.create_index(op.f("ix_fin_loans_lender"), "fin_loans", ["lender"], unique=False)
    op.create_table(
        "fin_margin_calls",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("loan_id", sa.String(length=200), nullable=False),
        sa.Column("ltv_bp", sa.Integer(), nullable=False),
        sa.Column("cure_by", sa.String(length=10), nullable=False),
        sa.Column(
            "amount_due_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "closed_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_fin_margin_calls")),
    )
    op.create_index(
        op.f("ix_fin_margin_calls_loan_id"), "fin_margin_calls", ["loan_id"], unique=False
    )
    op.create_table(
        "fin_pledges",
        sa.Column(
            "pledged_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("receipt_id", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("loan_id", sa.String(length=200), nullable=True),
        sa.Column(
            "released_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("release_reason", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("pledged_seq", name=op.f("pk_fin_pledges")),
    )
    op.create_index(
        "uq_fin_pledges_live_receipt",
        "fin_pledges",
        ["receipt_id"],
        unique=True,
        sqlite_where=sa.text("released_seq IS NULL"),
        postgresql_where=sa.text("released_seq IS NULL"),
    )
    op.create_table(
        "fin_postings",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("loan_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column(
            "amount_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "fees_delta", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "interest_delta", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "principal_delta", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "surplus_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_fin_postings")),
    )
    op.create_index(op.f("ix_fin_postings_loan_id"), "fin_postings", ["loan_id"], unique=False)
    op.create_table(
        "fin_prices",
        sa.Column("commodity", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column(
            "price_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("commodity", name=op.f("pk_fin_prices")),
    )
    op.create_table(
        "fin_receipts",
        sa.Column("receipt_id", sa.String(length=200), nullable=False),
        sa.Column("warehouse_id", sa.String(length=200), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("lot_id", sa.String(length=200), nullable=False),
        sa.Column("commodity", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("grade", sa.String(length=200), nullable=True),
        sa.Column("insurance_ref", sa.String(length=200), nullable=True),
        sa.Column("expires_on", sa.String(length=10), nullable=True),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "quantity_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "live_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "value_minor", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("replaces", sa.String(length=200), nullable=True),
        sa.Column(
            "issued_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "closed_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("pledged_to", sa.String(length=200), nullable=True),
        sa.Column("loan_id", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("receipt_id", name=op.f("pk_fin_receipts")),
        sa.UniqueConstraint("document_hash", name=op.f("uq_fin_receipts_document_hash")),
    )
    op.create_index(op.f("ix_fin_receipts_loan_id"), "fin_receipts", ["loan_id"], unique=False)
    op.create_index("ix_fin_receipts_lot", "fin_receipts", ["warehouse_id", "lot_id"], unique=False)
    op.create_table(
        "fin_stock",
        sa.Column("warehouse_id", sa.String(length=200), nullable=False),
        sa.Column("lot_id", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column(
            "held_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "received_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "out_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "counted_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "counted_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.PrimaryKeyConstraint("warehouse_id", "lot_id", "owner", name=op.f("pk_fin_stock")),
    )
    op.create_table(
        "fin_stock_alerts",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("warehouse_id", sa.String(length=200), nullable=False),
        sa.Column("lot_id", sa.String(length=200), nullable=True),
        sa.Column(
            "held_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "covered_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "counted_milli", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.PrimaryKeyConstraint("seq", "kind", name=op.f("pk_fin_stock_alerts")),
    )
    op.create_index(
        op.f("ix_fin_stock_alerts_warehouse_id"), "fin_stock_alerts", ["warehouse_id"], unique=False
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
