"""Anchors the ledger's latest checkpoint on chain and settles what it sent.

:meth:`AnchorService.anchor_latest` sends one ``anchor(ledgerId, treeSize, root)`` for the
newest checkpoint not yet anchored and records it as pending; :meth:`AnchorService.poll`
walks the live rows: a transaction ``confirmations`` deep becomes confirmed, one whose
block a reorganisation dropped becomes orphaned and its checkpoint is anchored again.

Nothing is lost when the node is down: a row is written only after the node accepted the
transaction, so a failed send leaves the checkpoint unanchored and the next run sends it.
Nonces are chosen here (the node's pending count, or one past our highest pending row) so
two anchors in flight never share one. One service instance serialises its own calls; run
one anchoring process per ledger.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from hexbytes import HexBytes
from sqlalchemy import select
from web3.exceptions import TransactionNotFound

from ledger.anchoring.chain import Chain, Sender, TxOptions
from ledger.anchoring.contract import LedgerAnchorClient
from ledger.anchoring.errors import NoAnchor, TransactionReverted
from ledger.anchoring.settings import AnchorSettings
from ledger.anchoring.store import (
    AnchorRow,
    AnchorStatus,
    add_pending,
    all_anchors,
    confirm,
    highest_live_size,
    highest_pending_nonce,
    ledger_id_for,
    live_anchors,
    orphan,
    set_block,
)
from ledger.core.errors import NotFound
from ledger.log import Ledger
from ledger.storage.models import Checkpoint

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one :meth:`AnchorService.poll` changed."""

    confirmed: tuple[int, ...] = ()
    orphaned: tuple[int, ...] = ()
    reanchored: tuple[int, ...] = ()
    pending: int = 0


class AnchorService:
    """Anchors one ledger through one contract client, signing as ``account``."""

    def __init__(
        self,
        ledger: Ledger,
        chain: Chain,
        client: LedgerAnchorClient,
        account: Sender,
        settings: AnchorSettings,
    ) -> None:
        self.ledger = ledger
        self.chain = chain
        self.client = client
        self.account = account
        self.settings = settings
        self.ledger_id = ledger_id_for(ledger.origin)
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return self.account if isinstance(self.account, str) else self.account.address

    # -- sending ---------------------------------------------------------------------------
    def anchor_latest(self) -> AnchorRow | None:
        """Anchors the latest checkpoint unless it (or a later one) is anchored or pending.

        Returns the new pending row, or None when there was nothing to do. A node that is
        down raises :class:`~ledger.anchoring.errors.ChainUnavailable` and records nothing.
        """
        with self._lock:
            try:
                latest = self.ledger.latest_checkpoint().checkpoint
            except NotFound:
                return None
            return self._anchor(latest.tree_size, latest.root_hash)

    def _anchor(self, tree_size: int, root: bytes) -> AnchorRow | None:
        if tree_size == 0:
            return None
        with self.ledger.engines.read.connect() as connection:
            if highest_live_size(connection) >= tree_size:
                return None
            pending_nonce = highest_pending_nonce(connection)
        if self._on_chain_size() >= tree_size:
            self._adopt_from_chain()  # an earlier run sent it and stopped before its row
            return None
        nonce = self.chain.next_nonce(self.address)
        if pending_nonce is not None:
            nonce = max(nonce, pending_nonce + 1)
        # With nothing in flight, a dry run first turns a refusal (not the anchorer) into an
        # error before any gas is spent; with anchors in flight it could misjudge the state.
        options = TxOptions(nonce=nonce, gas=self.settings.gas, simulate=pending_nonce is None)
        tx_hash = self.client.anchor(
            self.ledger_id, tree_size, root, sender=self.account, options=options
        )
        with self.ledger.engines.write.begin() as connection:
            add_pending(
                connection,
                ledger_id=self.ledger_id,
                tree_size=tree_size,
                root_hash=root,
                chain_id=self.chain.chain_id,
                contract=self.client.address,
                tx_hash=tx_hash,
                nonce=nonce,
                created_at=self.ledger.clock.now(),
            )
        log.info("anchor sent: size %d, tx 0x%s, nonce %d", tree_size, tx_hash.hex(), nonce)
        return self._row_for(tx_hash)

    def _on_chain_size(self) -> int:
        try:
            return self.client.latest(self.ledger_id).tree_size
        except NoAnchor:
            return 0

    def _adopt_from_chain(self) -> None:
        """Records, as pending, recent anchors of this ledger that have no row here."""
        head = self.chain.head()
        events = self.client.events(from_block=max(0, head - self.settings.adopt_window_blocks))
        with self.ledger.engines.read.connect() as connection:
            known = {r.tx_hash for r in all_anchors(connection)}
        for event in events:
            if event.name != "Anchored" or event.args["ledgerId"] != self.ledger_id:
                continue
            if event.tx_hash in known:
                continue
            with self.chain.translating():
                nonce = int(self.chain.w3.eth.get_transaction(HexBytes(event.tx_hash))["nonce"])
            with self.ledger.engines.write.begin() as connection:
                add_pending(
                    connection,
                    ledger_id=self.ledger_id,
                    tree_size=int(event.args["treeSize"]),
                    root_hash=bytes(event.args["root"]),
                    chain_id=self.chain.chain_id,
                    contract=self.client.address,
                    tx_hash=event.tx_hash,
                    nonce=nonce,
                    created_at=self.ledger.clock.now(),
                )
            log.warning("adopted anchor tx 0x%s found on chain", event.tx_hash.hex())

    def _row_for(self, tx_hash: bytes) -> AnchorRow:
        with self.ledger.engines.read.connect() as connection:
            return next(r for r in all_anchors(connection) if r.tx_hash == tx_hash)

    # -- settling --------------------------------------------------------------------------
    def poll(self) -> PollResult:
        """Confirms deep-enough anchors, orphans dropped ones and anchors those again."""
        with self._lock:
            with self.ledger.engines.read.connect() as connection:
                rows = live_anchors(connection)
            head = self.chain.head() if rows else 0
            rows = [r for r in rows if not self._final(r, head)]
            confirmed: list[int] = []
            orphaned: list[int] = []
            for row in rows:
                state = self._settle(row)
                if state is AnchorStatus.CONFIRMED and row.status is AnchorStatus.PENDING:
                    confirmed.append(row.tree_size)
                elif state is AnchorStatus.ORPHANED:
                    orphaned.append(row.tree_size)
            reanchored: list[int] = []
            for size in sorted(set(orphaned)):
                root = self._checkpoint_root(size)
                if root is not None and self._anchor(size, root) is not None:
                    reanchored.append(size)
            with self.ledger.engines.read.connect() as connection:
                pending = sum(r.status is AnchorStatus.PENDING for r in live_anchors(connection))
        return PollResult(tuple(confirmed), tuple(orphaned), tuple(reanchored), pending)

    def _final(self, row: AnchorRow, head: int) -> bool:
        """A confirmed anchor deeper than ``finality_depth`` is no longer re-checked."""
        if row.status is not AnchorStatus.CONFIRMED or row.block_number is None:
            return False
        return head - row.block_number + 1 > self.settings.finality_depth

    def _settle(self, row: AnchorRow) -> AnchorStatus:
        try:
            outcome = self.chain.receipt(row.tx_hash)
        except TransactionReverted as exc:
            log.warning("anchor tx 0x%s reverted: %s", row.tx_hash.hex(), exc)
            return self._orphan(row)
        if outcome is None:
            if row.block_hash is None and self._still_known(row.tx_hash):
                return row.status  # sent, not mined yet: wait
            return self._orphan(row)  # it was mined, and that block is gone
        if row.status is AnchorStatus.CONFIRMED and outcome.block_hash != row.block_hash:
            return self._orphan(row)
        with self.ledger.engines.write.begin() as connection:
            if outcome.block_hash != row.block_hash:
                set_block(connection, row.id, outcome.block_number, outcome.block_hash)
            if (
                row.status is AnchorStatus.PENDING
                and outcome.confirmations >= self.settings.confirmations
            ):
                confirm(connection, row.id, self.ledger.clock.now())
                return AnchorStatus.CONFIRMED
        return row.status

    def _still_known(self, tx_hash: bytes) -> bool:
        """Whether the node still holds ``tx_hash`` (in its pool or a block)."""
        with self.chain.translating():
            try:
                self.chain.w3.eth.get_transaction(HexBytes(tx_hash))
            except TransactionNotFound:
                return False
        return True

    def _orphan(self, row: AnchorRow) -> AnchorStatus:
        with self.ledger.engines.write.begin() as connection:
            orphan(connection, row.id)
        log.warning("anchor at size %d orphaned (tx 0x%s)", row.tree_size, row.tx_hash.hex())
        return AnchorStatus.ORPHANED

    def _checkpoint_root(self, size: int) -> bytes | None:
        with self.ledger.engines.read.connect() as connection:
            value = connection.execute(
                select(Checkpoint.root_hash).where(Checkpoint.tree_size == size)
            ).scalar_one_or_none()
        return None if value is None else bytes(value)

    def anchors(self) -> list[AnchorRow]:
        """Every anchor row of this ledger, oldest first."""
        with self.ledger.engines.read.connect() as connection:
            return all_anchors(connection)
