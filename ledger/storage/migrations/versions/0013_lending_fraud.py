"""lending: the fraud projection (counted logins, devices per account, applications)

Revision ID: 0013_lending_fraud
Revises: 0012_lending_posting_dates
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_lending_fraud"
down_revision = "0012_lending_posting_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lending_fraud_logins",
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("ip_country", sa.String(length=2), nullable=False),
        sa.Column("billing_country", sa.String(length=2), nullable=False),
        sa.Column("utc_offset", sa.Integer(), nullable=False),
        sa.Column("proxy", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account",
            "ip_country",
            "billing_country",
            "utc_offset",
            "proxy",
            name=op.f("pk_lending_fraud_logins"),
        ),
    )
    op.create_table(
        "lending_fraud_devices",
        sa.Column("device", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("device", "account", name=op.f("pk_lending_fraud_devices")),
    )
    op.create_index(op.f("ix_lending_fraud_devices_account"), "lending_fraud_devices",
                    ["account"])  # fmt: skip
    op.create_table(
        "lending_fraud_applications",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("applicant", sa.String(length=200), nullable=False),
        sa.Column("lender", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_lending_fraud_applications")),
    )
    op.create_index(op.f("ix_lending_fraud_applications_applicant"),
                    "lending_fraud_applications", ["applicant"])  # fmt: skip


def downgrade() -> None:
    for table in ("lending_fraud_applications", "lending_fraud_devices", "lending_fraud_logins"):
        op.drop_table(table)
