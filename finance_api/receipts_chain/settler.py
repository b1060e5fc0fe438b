"""Settles one sent attempt against the chain: confirmed, back to pending, orphaned, failed.

An attempt ``confirmations`` deep is confirmed. When a reorganisation drops its block and
the node still holds the transaction, the attempt goes back to pending, unmined: the pool
will mine it again as it is. When the node no longer holds it, the attempt is orphaned and
the service sends the operation again as a new attempt. A transaction mined but reverted
is the chain's refusal, recorded as failed with its decoded error.
"""

from __future__ import annotations

import logging

from finance_api.receipts_chain.journal import OpJournal
from finance_api.receipts_chain.probe import RegistryProbe
from finance_api.receipts_chain.settings import ReceiptChainSettings
from finance_api.receipts_chain.store import OpStatus, ReceiptOp, reopen, set_block, settle
from ledger.anchoring.chain import Chain
from ledger.anchoring.errors import TransactionReverted

log = logging.getLogger(__name__)


class OpSettler:
    """The settling half of the receipt service, for one registry contract."""

    def __init__(
        self,
        journal: OpJournal,
        chain: Chain,
        probe: RegistryProbe,
        settings: ReceiptChainSettings,
    ) -> None:
        self.journal = journal
        self.chain = chain
        self.probe = probe
        self.settings = settings

    def final(self, row: ReceiptOp, head: int) -> bool:
        """A confirmed operation deeper than ``finality_depth`` is no longer re-checked."""
        if row.status is not OpStatus.CONFIRMED or row.block_number is None:
            return False
        return head - row.block_number + 1 > self.settings.finality_depth

    def settle(self, row: ReceiptOp) -> OpStatus:
        """Moves a sent attempt on as the chain now stands; returns its new status."""
        assert row.tx_hash is not None
        try:
            outcome = self.chain.receipt(row.tx_hash)
        except TransactionReverted as exc:
            self.journal.fail(row, exc)
            return OpStatus.FAILED
        clock = self.journal.clock
        if outcome is None:
            if not self.probe.still_known(row.tx_hash):
                with self.journal.writing() as connection:
                    settle(connection, row.id, OpStatus.ORPHANED, clock.now())
                log.warning("op %s orphaned (tx 0x%s)", row.op_id, row.tx_hash.hex())
                return OpStatus.ORPHANED
            if row.block_hash is not None:  # its block is gone; the pool will mine it again
                with self.journal.writing() as connection:
                    reopen(connection, row.id)
            return OpStatus.PENDING
        deep = outcome.confirmations >= self.settings.confirmations
        with self.journal.writing() as connection:
            if outcome.block_hash != row.block_hash:
                set_block(connection, row.id, outcome.block_number, outcome.block_hash)
                if row.status is OpStatus.CONFIRMED and not deep:
                    reopen(connection, row.id)
                    set_block(connection, row.id, outcome.block_number, outcome.block_hash)
                    return OpStatus.PENDING
            if row.status is OpStatus.PENDING and deep:
                settle(connection, row.id, OpStatus.CONFIRMED, clock.now())
                return OpStatus.CONFIRMED
        return row.status
