"""The ``anchors`` table: the anchoring feature's own record of what it sent on chain.

It shares the ledger's metadata (one schema, one Alembic history: the table is created by
``ledger/storage/migrations/versions/0002_anchors.py``) but belongs to this feature: only
:mod:`ledger.anchoring.store` reads and writes it, on a connection the caller's unit of
work or read snapshot owns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, Seq, UTCDateTime


class Anchor(Base):
    """A checkpoint anchored on chain: the transaction, where it was mined, how settled.

    ``status`` moves pending -> confirmed, or to orphaned when a reorganisation drops the
    block; an orphaned row is kept (history of what was sent) and a new row re-anchors.
    """

    __tablename__ = "anchors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[bytes] = mapped_column(LargeBinary(32))
    tree_size: Mapped[int] = mapped_column(Seq)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    chain_id: Mapped[int] = mapped_column(BigInteger)
    contract: Mapped[str] = mapped_column(String(42))
    # The account that sent it (NULL on rows from before revision 0019): nonces are that
    # account's, so a change of anchorer never counts the old account's nonces as its own.
    sender: Mapped[str | None] = mapped_column(String(42))
    tx_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    nonce: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_anchors_status_tree_size", "status", "tree_size"),
        Index("ix_anchors_tree_size", "tree_size"),
    )
