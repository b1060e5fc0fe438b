"""anchors: checkpoints anchored on chain

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "anchors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ledger_id", sa.LargeBinary(length=32), nullable=False),
        sa.Column("tree_size", _SEQ, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("tx_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anchors")),
        sa.UniqueConstraint("tx_hash", name=op.f("uq_anchors_tx_hash")),
    )
    op.create_index("ix_anchors_status_tree_size", "anchors", ["status", "tree_size"])
    op.create_index("ix_anchors_tree_size", "anchors", ["tree_size"])


def downgrade() -> None:
    op.drop_index("ix_anchors_tree_size", table_name="anchors")
    op.drop_index("ix_anchors_status_tree_size", table_name="anchors")
    op.drop_table("anchors")
