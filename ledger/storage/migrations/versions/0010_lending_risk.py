"""lending: risk alerts, concentration flags, lenders' webhooks and alert deliveries

Revision ID: 0010_lending_risk
Revises: 0009_lending
Create Date: 2026-12-02 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_lending_risk"
down_revision = "0009_lending"
branch_labels = None
depends_on = None


def _seq() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "lending_alerts",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("borrower", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        _at("occurred_at"),
        sa.PrimaryKeyConstraint("seq", "kind", "subject", name=op.f("pk_lending_alerts")),
    )
    op.create_index("ix_lending_alerts_lender_seq", "lending_alerts", ["lender", "seq"])
    op.create_table(
        "lending_concentration_flags",
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("borrower", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("lender", "borrower", name=op.f("pk_lending_concentration_flags")),
    )
    op.create_table(
        "lending_webhooks",
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("from_seq", _seq(), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("lender", name=op.f("pk_lending_webhooks")),
    )
    op.create_table(
        "lending_deliveries",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"),
        _at("delivered_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", "kind", "subject", name=op.f("pk_lending_deliveries")),
    )
    op.create_index(op.f("ix_lending_deliveries_lender"), "lending_deliveries", ["lender"])


def downgrade() -> None:
    for table in ("lending_deliveries", "lending_webhooks", "lending_concentration_flags",
                  "lending_alerts"):  # fmt: skip
        op.drop_table(table)
