"""Settling one anchor row against the node: confirmed, still waiting, or orphaned.

A transaction ``confirmations`` deep is confirmed; one whose block a reorganisation dropped
waits to be mined again while the node still holds it, and is orphaned once the node has
let it go (or it reverted). Kept apart from :mod:`ledger.anchoring.service`, which decides
what to send, so each stays small; rows are written in the service's units of work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from hexbytes import HexBytes
from sqlalchemy import Connection
from web3.exceptions import TransactionNotFound

from ledger.anchoring.chain import Chain
from ledger.anchoring.errors import TransactionReverted
from ledger.anchoring.settings import AnchorSettings
from ledger.anchoring.store import AnchorRow, AnchorStatus, confirm, orphan, set_block, track_again
from ledger.core.clock import Clock

log = logging.getLogger(__name__)


class Settler:
    """Moves rows between pending, confirmed and orphaned as the node reports them."""

    def __init__(
        self,
        chain: Chain,
        settings: Callable[[], AnchorSettings],
        clock: Clock,
        writing: Callable[[], AbstractContextManager[Connection]],
    ) -> None:
        self.chain = chain
        self._settings = settings  # read at each use: the owner may swap its settings
        self.clock = clock
        self._writing = writing

    def final(self, row: AnchorRow, head: int) -> bool:
        """A confirmed anchor deeper than ``finality_depth`` is no longer re-checked."""
        if row.status is not AnchorStatus.CONFIRMED or row.block_number is None:
            return False
        return head - row.block_number + 1 > self._settings().finality_depth

    def settle(self, row: AnchorRow) -> AnchorStatus:
        """The row's status after asking the node about its transaction (and recording it)."""
        try:
            outcome = self.chain.receipt(row.tx_hash)
        except TransactionReverted as exc:
            log.warning("anchor tx 0x%s reverted: %s", row.tx_hash.hex(), exc)
            return self._orphan(row)
        if outcome is None:
            if not self.still_known(row.tx_hash):
                return self._orphan(row)  # gone from the node: anchor the checkpoint again
            if row.block_hash is None:
                return row.status  # sent, not mined yet: wait
            with self._writing() as connection:  # its block is gone, the pool mines it again
                track_again(connection, row.id)
            return AnchorStatus.PENDING
        status = row.status
        with self._writing() as connection:
            if outcome.block_hash != row.block_hash:
                if status is AnchorStatus.CONFIRMED:  # mined again elsewhere: confirm it there
                    track_again(connection, row.id)
                    status = AnchorStatus.PENDING
                set_block(connection, row.id, outcome.block_number, outcome.block_hash)
            if (
                status is AnchorStatus.PENDING
                and outcome.confirmations >= self._settings().confirmations
            ):
                confirm(connection, row.id, self.clock.now())
                return AnchorStatus.CONFIRMED
        return status

    def still_known(self, tx_hash: bytes) -> bool:
        """Whether the node still holds ``tx_hash`` (in its pool or a block)."""
        with self.chain.translating():
            try:
                self.chain.w3.eth.get_transaction(HexBytes(tx_hash))
            except TransactionNotFound:
                return False
        return True

    def _orphan(self, row: AnchorRow) -> AnchorStatus:
        with self._writing() as connection:
            orphan(connection, row.id)
        log.warning("anchor at size %d orphaned (tx 0x%s)", row.tree_size, row.tx_hash.hex())
        return AnchorStatus.ORPHANED
