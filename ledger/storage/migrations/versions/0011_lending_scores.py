"""lending: the latest score each recipient was shown of each subject

Revision ID: 0011_lending_scores
Revises: 0010_lending_risk
Create Date: 2026-12-02 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_lending_scores"
down_revision = "0010_lending_risk"
branch_labels = None
depends_on = None


def _seq() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lending_scores",
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("score_id", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("pd_ppm", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=False),
        sa.Column("model_version", sa.String(length=100), nullable=False),
        sa.Column("tree_size", _seq(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("seq", _seq(), nullable=False),
        sa.PrimaryKeyConstraint("recipient", "subject", name=op.f("pk_lending_scores")),
    )


def downgrade() -> None:
    op.drop_table("lending_scores")
