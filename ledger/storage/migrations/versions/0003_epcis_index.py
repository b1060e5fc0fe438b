"""epcis index: hash IDs, item roles and item links of captured EPCIS events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_INDEXED = ("event_id", "event_time", "biz_step", "disposition", "read_point", "biz_location")


def upgrade() -> None:
    op.create_table(
        "epcis_events",
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("hash_id", sa.String(length=120), nullable=False),
        sa.Column("error_declaration", sa.Boolean(), nullable=False),
        sa.Column("hash_algorithm", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=1000), nullable=True),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("biz_step", sa.String(length=1000), nullable=True),
        sa.Column("disposition", sa.String(length=1000), nullable=True),
        sa.Column("read_point", sa.String(length=1000), nullable=True),
        sa.Column("biz_location", sa.String(length=1000), nullable=True),
        sa.Column("declared_event_id", sa.String(length=1000), nullable=True),
        sa.Column("captured_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_epcis_events")),
        sa.UniqueConstraint("hash_id", "error_declaration", name=op.f("uq_epcis_events_hash_id")),
    )
    for column in (*_INDEXED, "declared_event_id"):
        op.create_index(f"ix_epcis_events_{column}", "epcis_events", [column])
    op.create_table(
        "epcis_items",
        sa.Column("item", sa.String(length=1000), nullable=False),
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("item", "seq", "role", name=op.f("pk_epcis_items")),
    )
    op.create_table(
        "epcis_links",
        sa.Column("from_item", sa.String(length=1000), nullable=False),
        sa.Column("to_item", sa.String(length=1000), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("from_item", "to_item", "kind", "seq", name=op.f("pk_epcis_links")),
    )
    op.create_index("ix_epcis_links_to_item_seq", "epcis_links", ["to_item", "seq"])


def downgrade() -> None:
    op.drop_index("ix_epcis_links_to_item_seq", table_name="epcis_links")
    op.drop_table("epcis_links")
    op.drop_table("epcis_items")
    for column in (*_INDEXED, "declared_event_id"):
        op.drop_index(f"ix_epcis_events_{column}", table_name="epcis_events")
    op.drop_table("epcis_events")
