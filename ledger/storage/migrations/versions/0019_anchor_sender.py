"""anchors: the account that sent each anchor (nonces are counted per sending account)

Rows written before this revision keep a NULL sender: they were sent by whichever account
anchored then, and are counted as the current anchorer's (what the service did before).

Revision ID: 0019_anchor_sender
Revises: 0018_decisions
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_anchor_sender"
down_revision = "0018_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("anchors") as batch:
        batch.add_column(sa.Column("sender", sa.String(length=42), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("anchors") as batch:
        batch.drop_column("sender")
