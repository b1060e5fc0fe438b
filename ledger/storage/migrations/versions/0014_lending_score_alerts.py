"""lending: score-drop alerts (the lending.scores projection's own alert table)

Revision ID: 0014_lending_score_alerts
Revises: 0013_lending_fraud
Create Date: 2026-12-02 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_lending_score_alerts"
down_revision = "0013_lending_fraud"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lending_score_alerts",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("borrower", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", "kind", "subject", name=op.f("pk_lending_score_alerts")),
    )
    op.create_index("ix_lending_score_alerts_lender_seq", "lending_score_alerts",
                    ["lender", "seq"])  # fmt: skip


def downgrade() -> None:
    op.drop_table("lending_score_alerts")
