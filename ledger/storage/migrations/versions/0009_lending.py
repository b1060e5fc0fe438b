"""lending: credit lines and their postings (the lending.credit_lines projection)

Revision ID: 0009_lending
Revises: 0009_receipts (the receipts migration; chained after it on merge)
Create Date: 2026-12-02 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_lending"
down_revision = "0009_receipts"
branch_labels = None
depends_on = None


def _seq() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    money = [
        "limit_minor", "principal_minor", "interest_minor", "fees_minor", "arrears_minor",
        "defaulted_minor", "recovered_minor", "written_off_minor",
    ]  # fmt: skip
    op.create_table(
        "lending_credit_lines",
        sa.Column("line_id", sa.String(length=200), nullable=False),
        sa.Column("borrower", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("rate_bp", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("freeze_reason", sa.String(length=32), nullable=True),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("dpd_as_of", sa.Date(), nullable=True),
        sa.Column("opened_seq", _seq(), nullable=False),
        sa.Column("updated_seq", _seq(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in money],
        sa.PrimaryKeyConstraint("line_id", name=op.f("pk_lending_credit_lines")),
    )
    op.create_index(op.f("ix_lending_credit_lines_borrower"), "lending_credit_lines", ["borrower"])
    op.create_index(op.f("ix_lending_credit_lines_lender"), "lending_credit_lines", ["lender"])
    op.create_table(
        "lending_credit_line_postings",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("component", sa.String(length=16), nullable=False),
        sa.Column("line_id", sa.String(length=200), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "component", name=op.f("pk_lending_credit_line_postings")),
    )
    op.create_index(
        op.f("ix_lending_credit_line_postings_line_id"),
        "lending_credit_line_postings",
        ["line_id"],
    )


def downgrade() -> None:
    op.drop_table("lending_credit_line_postings")
    op.drop_table("lending_credit_lines")
