"""Sends one attempt of a receipt operation, or adopts its effect found already on chain.

Before any send the registry's events are searched for the operation's effect sent by a
run that stopped before recording it; one found (and not already claimed by another
attempt) is adopted instead of re-sent. Otherwise the attempt reserves a nonce (one past
the highest in flight, so operations in flight never collide), is sent, and is recorded
as sent. Each step commits on its own, so a crash between them loses nothing the next
run cannot find again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from finance_api.receipts_chain.journal import OpJournal
from finance_api.receipts_chain.probe import RegistryProbe
from finance_api.receipts_chain.settings import ReceiptChainSettings
from finance_api.receipts_chain.store import (
    OpStatus,
    ReceiptOp,
    claimed_tx_hashes,
    highest_reserved_nonce,
    live_ops,
    mark_sent,
    reserve_nonce,
)
from ledger.anchoring.chain import Chain, Sender, TxOptions
from ledger.anchoring.errors import ChainError, ChainUnavailable, TransactionReverted

log = logging.getLogger(__name__)


class OpSender:
    """The sending half of the receipt service, for one registry contract."""

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
        self._chain_id: int | None = None

    def send(self, row: ReceiptOp, signer: Sender) -> None:
        """Adopts the operation's effect if already on chain, else sends it once."""
        chain_id = self._chain_id_now()
        with self.journal.reading() as connection:
            claimed = claimed_tx_hashes(connection)
            reserved = highest_reserved_nonce(connection, row.sender, besides=row.id)
        found = self.probe.effect(row, claimed=claimed, window=self.settings.adopt_window_blocks)
        if found is not None:
            tx_hash, number, block = found
            used = self.probe.nonce_of(tx_hash)
            with self.journal.writing() as connection:
                mark_sent(
                    connection,
                    row.id,
                    tx_hash=tx_hash,
                    nonce=used,
                    chain_id=chain_id,
                    block_number=number,
                    block_hash=block,
                )
            log.warning("op %s adopted tx 0x%s found on chain", row.op_id, tx_hash.hex())
            return
        nonce = self.probe.nonce_for(row, reserved=reserved)
        if nonce is None:
            raise ChainError(f"op {row.op_id}: an earlier send may still be in the node's pool")
        simulate = not self._in_flight(row)
        with self.journal.writing() as connection:
            reserve_nonce(connection, row.id, nonce, chain_id)
        # An orphaned attempt's transaction may come out again byte for byte (same nonce
        # and fees): ``avoid`` makes a local signer sign another one.
        options = TxOptions(
            nonce=nonce, gas=self.settings.gas, simulate=simulate, avoid=frozenset(claimed)
        )
        tx_hash = self.probe.send(row, signer, options)
        with self.journal.writing() as connection:
            mark_sent(connection, row.id, tx_hash=tx_hash, nonce=nonce, chain_id=chain_id)
        log.info("op %s (%s) sent: tx 0x%s, nonce %d", row.op_id, row.kind, tx_hash.hex(), nonce)

    def flush(
        self, signers: Mapping[str, Sender]
    ) -> tuple[list[ReceiptOp], list[str], ChainUnavailable | None]:
        """Sends queued attempts, oldest first: (now sent, refused op ids, node down?).

        A refusal is recorded as failed and the flush goes on; a node that is down stops it
        (what is left stays queued); an attempt whose sender has no signer here stays queued.
        """
        sent: list[ReceiptOp] = []
        failed: list[str] = []
        down: ChainUnavailable | None = None
        with self.journal.reading() as connection:
            queued = [r for r in live_ops(connection) if r.queued]
        for row in queued:
            signer = signers.get(row.sender)
            if signer is None:
                self.journal.note(row, ChainError(f"no signer for {row.sender}; add_signer() it"))
                continue
            try:
                self.send(row, signer)
            except TransactionReverted as exc:
                self.journal.fail(row, exc)
                failed.append(row.op_id)
                continue
            except ChainUnavailable as exc:
                self.journal.note(row, exc)
                down = exc
                break
            except ChainError as exc:
                self.journal.note(row, exc)
                continue
            now = self.journal.load(row.id)
            if not now.queued:
                sent.append(now)
        return sent, failed, down

    def _chain_id_now(self) -> int:
        if self._chain_id is None:
            self._chain_id = self.chain.chain_id
        return self._chain_id

    def _in_flight(self, row: ReceiptOp) -> bool:
        """Whether a sent, unmined operation on the same receipt could change its outcome.

        Then a dry run against the current state could misjudge, so none is made and the
        chain's own verdict is read back by the service's poll.
        """
        with self.journal.reading() as connection:
            others = [
                r.tx_hash
                for r in live_ops(connection)
                if r.id != row.id
                and r.document_hash == row.document_hash
                and r.status is OpStatus.PENDING
                and r.block_hash is None
            ]
        return self.probe.any_unmined(t for t in others if t is not None)
