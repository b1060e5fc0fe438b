"""receivables: documents, disputes, financings and postings (the lending.receivables projection)

Revision ID: 0016_receivables
Revises: 0015_receipt_posting_dates
Create Date: 2026-12-03 10:00:00

A ledger opened with this revision builds the projection from its log (a projection new to
a ledger is built on open), so orders and invoices recorded before are known to it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_receivables"
down_revision = "0015_receipt_posting_dates"
branch_labels = None
depends_on = None

_ID = sa.String(length=200)


def _seq() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "receivable_documents",
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("seq", _seq(), nullable=False),
        sa.Column("seller", _ID, nullable=False),
        sa.Column("buyer", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("issues", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("open_disputes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("document_id", "kind", name=op.f("pk_receivable_documents")),
    )
    op.create_table(
        "receivable_disputes",
        sa.Column("dispute_id", _ID, nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("dispute_id", name=op.f("pk_receivable_disputes")),
    )
    money = ("face", "advanced", "reserve", "collected", "recourse_paid", "fee", "rebate",
             "written_off", "converted")  # fmt: skip
    op.create_table(
        "receivable_financings",
        sa.Column("financing_id", _ID, nullable=False),
        sa.Column("document_kind", sa.String(length=8), nullable=False),
        sa.Column("document_id", _ID, nullable=False),
        sa.Column("document_key", sa.String(length=64), nullable=False),
        sa.Column("order_id", _ID, nullable=False),
        sa.Column("seller", _ID, nullable=False),
        sa.Column("debtor", _ID, nullable=False),
        sa.Column("lender", _ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("advance_rate_bp", sa.Integer(), nullable=False),
        sa.Column("fee_bp", sa.Integer(), nullable=False),
        sa.Column("fee_period_days", sa.Integer(), nullable=False),
        sa.Column("recourse", sa.Boolean(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("financed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("loan_id", _ID, nullable=True),
        sa.Column("last_in_on", sa.Date(), nullable=True),
        sa.Column("financed_seq", _seq(), nullable=False),
        sa.Column("updated_seq", _seq(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in money],
        sa.PrimaryKeyConstraint("financing_id", name=op.f("pk_receivable_financings")),
        sa.UniqueConstraint("document_kind", "document_id",
                            name="uq_receivable_financings_document"),
        sa.UniqueConstraint("document_key", name="uq_receivable_financings_key"),
    )  # fmt: skip
    for column in ("order_id", "seller", "debtor", "lender"):
        op.create_index(
            op.f(f"ix_receivable_financings_{column}"), "receivable_financings", [column]
        )
    op.create_table(
        "receivable_postings",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("component", sa.String(length=16), nullable=False),
        sa.Column("financing_id", _ID, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "component", name=op.f("pk_receivable_postings")),
    )
    op.create_index("ix_receivable_postings_financing", "receivable_postings",
                    ["financing_id", "seq"])  # fmt: skip


def downgrade() -> None:
    for table in ("receivable_postings", "receivable_financings", "receivable_disputes",
                  "receivable_documents"):  # fmt: skip
        op.drop_table(table)
