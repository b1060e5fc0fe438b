"""lending: automatic decisions (applications and decisions by id) and lenders' policies

Revision ID: 0018_decisions
Revises: 0017_risk_monitor
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_decisions"
down_revision = "0017_risk_monitor"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lending_applications",
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=200), nullable=False),
        sa.Column("applicant", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=32), nullable=False),
        sa.Column("requested_minor", _SEQ, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("receipt_id", sa.String(length=200), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_lending_applications")),
    )
    op.create_index(op.f("ix_lending_applications_application_id"), "lending_applications",
                    ["application_id"])  # fmt: skip
    op.create_table(
        "lending_decisions",
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("limit_minor", _SEQ, nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("override_of", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_lending_decisions")),
        sa.UniqueConstraint("event_id", name=op.f("uq_lending_decisions_event_id")),
    )
    op.create_index(op.f("ix_lending_decisions_application_id"), "lending_decisions",
                    ["application_id"])  # fmt: skip
    op.create_table(
        "lending_decision_policies",
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lender", name=op.f("pk_lending_decision_policies")),
    )


def downgrade() -> None:
    for table in ("lending_decision_policies", "lending_decisions", "lending_applications"):
        op.drop_table(table)
