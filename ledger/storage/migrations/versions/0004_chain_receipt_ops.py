"""chain receipt ops: warehouse-receipt operations mirrored on the shared registry

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chain_receipt_ops",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("op_id", sa.String(length=200), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("receipt_id", sa.String(length=200), nullable=False),
        sa.Column("document_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("sender", sa.String(length=42), nullable=False),
        sa.Column("counterparty", sa.String(length=42), nullable=True),
        sa.Column("contract", sa.String(length=42), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=True),
        sa.Column("tx_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("nonce", sa.BigInteger(), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_data", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_receipt_ops")),
        sa.UniqueConstraint("tx_hash", name=op.f("uq_chain_receipt_ops_tx_hash")),
    )
    op.create_index(
        "ix_chain_receipt_ops_op_id_attempt",
        "chain_receipt_ops",
        ["op_id", "attempt"],
        unique=True,
    )
    op.create_index("ix_chain_receipt_ops_document_hash", "chain_receipt_ops", ["document_hash"])
    op.create_index("ix_chain_receipt_ops_status", "chain_receipt_ops", ["status"])


def downgrade() -> None:
    op.drop_index("ix_chain_receipt_ops_status", table_name="chain_receipt_ops")
    op.drop_index("ix_chain_receipt_ops_document_hash", table_name="chain_receipt_ops")
    op.drop_index("ix_chain_receipt_ops_op_id_attempt", table_name="chain_receipt_ops")
    op.drop_table("chain_receipt_ops")
