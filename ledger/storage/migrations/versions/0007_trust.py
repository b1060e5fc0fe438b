"""trust: claims and their parties, consents, the access log; scoped, expiring API keys

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _seq() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("flow", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_claims")),
        sa.UniqueConstraint("event_id", name=op.f("uq_claims_event_id")),
    )
    op.create_index(op.f("ix_claims_status"), "claims", ["status"])
    op.create_table(
        "claim_parties",
        sa.Column("claim_seq", _seq(), autoincrement=False, nullable=False),
        sa.Column("party", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_seq", _seq(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_seq"], ["claims.seq"], name=op.f("fk_claim_parties_claim_seq_claims")
        ),
        sa.PrimaryKeyConstraint("claim_seq", "party", name=op.f("pk_claim_parties")),
    )
    op.create_index("ix_claim_parties_party_status", "claim_parties", ["party", "status"])
    op.create_table(
        "consents",
        sa.Column("consent_id", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("grantee", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_seq", _seq(), nullable=False),
        sa.Column("revoked_seq", _seq(), nullable=True),
        sa.PrimaryKeyConstraint("consent_id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_grantee_subject", "consents", ["grantee", "subject"])
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reader", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("resource", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("consent_id", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_reader"), "access_log", ["reader"])
    op.create_index(op.f("ix_access_log_subject"), "access_log", ["subject"])
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("roles", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    keys = sa.table("api_keys", sa.column("key_hash", sa.LargeBinary), sa.column("key_id"))
    bind = op.get_bind()
    for (digest,) in bind.execute(sa.select(keys.c.key_hash)).all():
        bind.execute(
            sa.update(keys).where(keys.c.key_hash == digest).values(key_id=bytes(digest)[:8].hex())
        )
    op.create_index(op.f("ix_api_keys_key_id"), "api_keys", ["key_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_keys_key_id"), table_name="api_keys")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("roles")
        batch.drop_column("key_id")
    for table in ("access_log", "consents", "claim_parties", "claims"):
        op.drop_table(table)
