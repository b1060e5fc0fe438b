"""receipts: each loan posting carries its date (interest checked against the accrual)

Revision ID: 0015_receipt_posting_dates
Revises: 0014_lending_score_alerts
Create Date: 2026-12-02 14:30:00

The ``finance.receipts`` projection's version goes to 2 with it, so a ledger built before
is rebuilt on open (and refused there if it holds interest the daily accrual does not give).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_receipt_posting_dates"
down_revision = "0014_lending_score_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("fin_postings") as batch:
        batch.add_column(sa.Column("posted_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fin_postings") as batch:
        batch.drop_column("posted_on")
