"""lending: each credit-line posting carries its date (daily interest accrual)

Revision ID: 0012_lending_posting_dates
Revises: 0011_lending_scores
Create Date: 2026-12-02 14:45:00

The projection's version goes to 2 with it, so a ledger built before is rebuilt on open.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_lending_posting_dates"
down_revision = "0011_lending_scores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lending_credit_line_postings") as batch:
        batch.add_column(sa.Column("posted_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lending_credit_line_postings") as batch:
        batch.drop_column("posted_on")
