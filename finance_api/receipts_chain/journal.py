"""The operations table through the ledger's front door: read snapshots, units of work.

The receipt service never opens a database connection itself. It reads in
:meth:`Ledger.reading` snapshots and writes in units of work that do not take the
sequencer lock (bookkeeping of chain operations must not queue behind appends), each
committed when its block ends. The writes every part of the service shares (a refusal, a
note, a new attempt) live here too, so the sender and the settler need no service.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection

from finance_api.receipts_chain.store import (
    OpStatus,
    ReceiptOp,
    add_attempt,
    note_error,
    op_by_row_id,
    settle,
)
from ledger.anchoring.errors import ChainError, TransactionReverted
from ledger.core.clock import Clock
from ledger.log import Ledger

log = logging.getLogger(__name__)


class OpJournal:
    """Reads and writes of ``chain_receipt_ops`` for one ledger database."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self.ledger = ledger
        self.clock = clock

    def reading(self) -> AbstractContextManager[Connection]:
        """A read snapshot of the ledger database."""
        return self.ledger.reading()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction, committed when the block ends; rolled back if it raises."""
        with self.ledger.unit_of_work(lock=False) as uow:
            yield uow.connection
            uow.commit()

    def load(self, row_id: int) -> ReceiptOp:
        with self.ledger.reading() as connection:
            return op_by_row_id(connection, row_id)

    def reattempt(self, row: ReceiptOp) -> ReceiptOp:
        """A new queued attempt of the same operation (the last one was orphaned)."""
        with self.writing() as connection:
            row_id = add_attempt(
                connection,
                op_id=row.op_id,
                attempt=row.attempt + 1,
                kind=row.kind,
                receipt_id=row.receipt_id,
                document_hash=row.document_hash,
                sender=row.sender,
                counterparty=row.counterparty,
                contract=row.contract,
                created_at=self.clock.now(),
            )
            return op_by_row_id(connection, row_id)

    def fail(self, row: ReceiptOp, exc: TransactionReverted) -> None:
        """Records the chain's refusal, with the revert data to decode it again later."""
        with self.writing() as connection:
            settle(
                connection,
                row.id,
                OpStatus.FAILED,
                self.clock.now(),
                error=str(exc),
                error_data=exc.data or None,
            )
        log.warning("op %s (%s) refused by the chain: %s", row.op_id, row.kind, exc)

    def note(self, row: ReceiptOp, exc: ChainError) -> None:
        """Why a queued attempt could not be sent yet (it stays queued)."""
        with self.writing() as connection:
            note_error(connection, row.id, str(exc))
        log.warning("op %s (%s) queued: %s", row.op_id, row.kind, exc)
