"""risk monitor: LTV band moves of receipt loans, and the lending.risk projection's tables

Revision ID: 0017_risk_monitor
Revises: 0016_receivables
Create Date: 2026-12-03 10:20:00

``finance.receipts`` goes to version 4 (it records each loan's LTV band moves) and
``lending.risk`` is new: both are built from the log when a ledger is next opened.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_risk_monitor"
down_revision = "0016_receivables"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MINOR = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "fin_ltv_moves",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("loan_id", sa.String(length=200), nullable=False),
        sa.Column("band_from", sa.String(length=16), nullable=True),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("ltv_bp", sa.Integer(), nullable=False),
        sa.Column("owed_minor", MINOR, nullable=False),
        sa.Column("value_minor", MINOR, nullable=False),
        sa.Column("quantity_milli", MINOR, nullable=False),
        sa.Column("price_minor", MINOR, nullable=True),
        sa.Column("advance_bp", sa.Integer(), nullable=False),
        sa.Column("margin_call_bp", sa.Integer(), nullable=False),
        sa.Column("liquidation_bp", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", "loan_id", name=op.f("pk_fin_ltv_moves")),
    )
    op.create_table(
        "lending_risk_alerts",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("borrower", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", "kind", "subject", name=op.f("pk_lending_risk_alerts")),
    )
    op.create_index("ix_lending_risk_alerts_lender_seq", "lending_risk_alerts",
                    ["lender", "seq"])  # fmt: skip
    op.create_table(
        "lending_risk_exposures",
        sa.Column("source", sa.String(length=210), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("debtor", sa.String(length=200), nullable=False),
        sa.Column("commodity", sa.String(length=200), nullable=True),
        sa.Column("warehouses", sa.JSON(), nullable=False),
        sa.Column("amount_minor", MINOR, nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_lending_risk_exposures")),
    )
    op.create_index("ix_lending_risk_exposures_lender", "lending_risk_exposures",
                    ["lender", "currency"])  # fmt: skip
    op.create_table(
        "lending_risk_flags",
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint(
            "lender", "currency", "dimension", "name", name=op.f("pk_lending_risk_flags")
        ),
    )
    op.create_table(
        "lending_risk_countries",
        sa.Column("participant", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.PrimaryKeyConstraint("participant", name=op.f("pk_lending_risk_countries")),
    )


def downgrade() -> None:
    for table in ("lending_risk_countries", "lending_risk_flags", "lending_risk_exposures",
                  "lending_risk_alerts", "fin_ltv_moves"):  # fmt: skip
        op.drop_table(table)
