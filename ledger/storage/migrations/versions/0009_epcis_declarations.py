"""epcis_events: a declaration key, so each distinct error declaration of an event is captured

Revision ID: 0009_epcis_declarations
Revises: 0008
Create Date: 2026-12-02 13:15:00

CBV hashes an error declaration like the event it voids, so ``(hash_id, error_declaration)``
answered a second, different declaration of one event as a duplicate. The unique key
becomes ``(hash_id, declaration_key)``: ``""`` for an event, a digest of the eventID and
the declaration for a declaration. The traceability projection (version 2) is rebuilt
from the log when a ledger opens, which fills the keys of existing declarations.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_epcis_declarations"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("epcis_events") as batch:
        batch.add_column(
            sa.Column("declaration_key", sa.String(length=32), nullable=False, server_default="")
        )
        batch.drop_constraint("uq_epcis_events_hash_id", type_="unique")
        batch.create_unique_constraint("uq_epcis_events_hash_id", ["hash_id", "declaration_key"])


def downgrade() -> None:
    with op.batch_alter_table("epcis_events") as batch:
        batch.drop_constraint("uq_epcis_events_hash_id", type_="unique")
        batch.create_unique_constraint("uq_epcis_events_hash_id", ["hash_id", "error_declaration"])
        batch.drop_column("declaration_key")
