"""The ``chain_receipt_ops`` table: receipt operations sent to the shared registry.

It shares the ledger's metadata (one schema, one Alembic history: the table is created by
``ledger/storage/migrations/versions/0004_chain_receipt_ops.py``) but belongs to the
finance service: only :mod:`finance_api.receipts_chain.store` reads and writes it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.storage.models import Base, UTCDateTime


class ChainReceiptOp(Base):
    """One attempt at a warehouse-receipt operation on the shared registry contract.

    ``op_id`` is the caller's idempotency key; each send of it is an ``attempt`` (a reorg
    that drops an attempt's block leaves it orphaned and a new attempt re-sends the op).
    A queued attempt (the node was down) is pending with no ``tx_hash`` yet.
    """

    __tablename__ = "chain_receipt_ops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(200))
    attempt: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    receipt_id: Mapped[str] = mapped_column(String(200))
    document_hash: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    sender: Mapped[str] = mapped_column(String(42))
    counterparty: Mapped[str | None] = mapped_column(String(42))
    contract: Mapped[str] = mapped_column(String(42))
    chain_id: Mapped[int | None] = mapped_column(BigInteger)
    tx_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    error_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_chain_receipt_ops_op_id_attempt", "op_id", "attempt", unique=True),)
