"""The ``chain_receipt_ops`` table behind a few narrow functions; callers own the transaction.

Rows come back as frozen :class:`ReceiptOp` values. An operation is identified by the
caller's ``op_id``; each send of it is one attempt row. Only the send, block, status and
error columns of an attempt ever change, and no row is deleted: an orphaned attempt stays
as the record of what was sent, and the re-send is the next attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from finance_api.receipts_chain.tables import ChainReceiptOp


class OpKind(StrEnum):
    REGISTER = "register"
    PLEDGE = "pledge"
    RELEASE = "release"
    CANCEL = "cancel"


class OpStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    ORPHANED = "orphaned"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ReceiptOp:
    """One attempt at a receipt operation; ``tx_hash`` is None while it is queued."""

    id: int
    op_id: str
    attempt: int
    kind: OpKind
    receipt_id: str
    document_hash: bytes
    sender: str
    counterparty: str | None
    contract: str
    chain_id: int | None
    tx_hash: bytes | None
    nonce: int | None
    block_number: int | None
    block_hash: bytes | None
    status: OpStatus
    error: str | None
    error_data: bytes | None
    created_at: datetime
    settled_at: datetime | None

    @property
    def queued(self) -> bool:
        """Recorded but not yet accepted by a node (it was down, or slow to answer)."""
        return self.status is OpStatus.PENDING and self.tx_hash is None


def _row(raw: Any) -> ReceiptOp:
    def opt_bytes(value: Any) -> bytes | None:
        return None if value is None else bytes(value)

    return ReceiptOp(
        id=int(raw.id),
        op_id=raw.op_id,
        attempt=int(raw.attempt),
        kind=OpKind(raw.kind),
        receipt_id=raw.receipt_id,
        document_hash=bytes(raw.document_hash),
        sender=raw.sender,
        counterparty=raw.counterparty,
        contract=raw.contract,
        chain_id=raw.chain_id,
        tx_hash=opt_bytes(raw.tx_hash),
        nonce=raw.nonce,
        block_number=raw.block_number,
        block_hash=opt_bytes(raw.block_hash),
        status=OpStatus(raw.status),
        error=raw.error,
        error_data=opt_bytes(raw.error_data),
        created_at=raw.created_at,
        settled_at=raw.settled_at,
    )


_TABLE = ChainReceiptOp.__table__


def all_ops(connection: Connection) -> list[ReceiptOp]:
    """Every attempt, oldest first."""
    return [_row(r) for r in connection.execute(select(_TABLE).order_by(ChainReceiptOp.id))]


def attempts_of(connection: Connection, op_id: str) -> list[ReceiptOp]:
    """The attempts of one operation, first first."""
    query = select(_TABLE).where(ChainReceiptOp.op_id == op_id).order_by(ChainReceiptOp.attempt)
    return [_row(r) for r in connection.execute(query)]


def op_by_row_id(connection: Connection, row_id: int) -> ReceiptOp:
    return _row(connection.execute(select(_TABLE).where(ChainReceiptOp.id == row_id)).one())


def live_ops(connection: Connection) -> list[ReceiptOp]:
    """Pending and confirmed attempts (queued ones included), oldest first."""
    live = (OpStatus.PENDING.value, OpStatus.CONFIRMED.value)
    query = select(_TABLE).where(ChainReceiptOp.status.in_(live)).order_by(ChainReceiptOp.id)
    return [_row(r) for r in connection.execute(query)]


def claimed_tx_hashes(connection: Connection) -> set[bytes]:
    """Transactions some attempt already stands for (never adopted a second time)."""
    query = select(ChainReceiptOp.tx_hash).where(ChainReceiptOp.tx_hash.is_not(None))
    return {bytes(v) for v in connection.execute(query).scalars() if v is not None}


def highest_reserved_nonce(connection: Connection, sender: str, *, besides: int) -> int | None:
    """The highest nonce a pending, not-yet-mined attempt of ``sender`` holds."""
    value = connection.execute(
        select(func.max(ChainReceiptOp.nonce)).where(
            ChainReceiptOp.sender == sender,
            ChainReceiptOp.status == OpStatus.PENDING.value,
            ChainReceiptOp.block_hash.is_(None),
            ChainReceiptOp.id != besides,
        )
    ).scalar_one_or_none()
    return None if value is None else int(value)


def add_attempt(
    connection: Connection,
    *,
    op_id: str,
    attempt: int,
    kind: OpKind,
    receipt_id: str,
    document_hash: bytes,
    sender: str,
    counterparty: str | None,
    contract: str,
    created_at: datetime,
) -> int:
    """Records a queued attempt and returns its row id."""
    result = connection.execute(
        insert(ChainReceiptOp).values(
            op_id=op_id,
            attempt=attempt,
            kind=kind.value,
            receipt_id=receipt_id,
            document_hash=document_hash,
            sender=sender,
            counterparty=counterparty,
            contract=contract,
            status=OpStatus.PENDING.value,
            created_at=created_at,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def reserve_nonce(connection: Connection, row_id: int, nonce: int, chain_id: int) -> None:
    """Notes the nonce an attempt is about to be sent with (before the send)."""
    connection.execute(
        update(ChainReceiptOp)
        .where(ChainReceiptOp.id == row_id)
        .values(nonce=nonce, chain_id=chain_id)
    )


def mark_sent(
    connection: Connection,
    row_id: int,
    *,
    tx_hash: bytes,
    nonce: int,
    chain_id: int,
    block_number: int | None = None,
    block_hash: bytes | None = None,
) -> None:
    connection.execute(
        update(ChainReceiptOp)
        .where(ChainReceiptOp.id == row_id)
        .values(
            tx_hash=tx_hash,
            nonce=nonce,
            chain_id=chain_id,
            block_number=block_number,
            block_hash=block_hash,
            error=None,
        )
    )


def note_error(connection: Connection, row_id: int, error: str) -> None:
    """Why a queued attempt could not be sent yet (it stays queued)."""
    connection.execute(
        update(ChainReceiptOp).where(ChainReceiptOp.id == row_id).values(error=error)
    )


def set_block(connection: Connection, row_id: int, number: int | None, block: bytes | None) -> None:
    connection.execute(
        update(ChainReceiptOp)
        .where(ChainReceiptOp.id == row_id)
        .values(block_number=number, block_hash=block)
    )


def reopen(connection: Connection, row_id: int) -> None:
    """Back to pending, unmined: a reorganisation dropped the block but the node still
    holds the transaction, so it will be mined again as it is."""
    connection.execute(
        update(ChainReceiptOp)
        .where(ChainReceiptOp.id == row_id)
        .values(status=OpStatus.PENDING.value, block_number=None, block_hash=None, settled_at=None)
    )


def settle(
    connection: Connection,
    row_id: int,
    status: OpStatus,
    at: datetime,
    *,
    error: str | None = None,
    error_data: bytes | None = None,
) -> None:
    """Moves an attempt to confirmed, orphaned or failed."""
    values: dict[str, Any] = {"status": status.value, "settled_at": at}
    if status is OpStatus.FAILED:
        values |= {"error": error, "error_data": error_data}
    connection.execute(update(ChainReceiptOp).where(ChainReceiptOp.id == row_id).values(**values))
