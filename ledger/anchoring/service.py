"""Anchors the ledger's latest checkpoint on chain and settles what it sent.

:meth:`AnchorService.anchor_latest` sends one ``anchor(ledgerId, treeSize, root)`` for the
newest checkpoint not yet anchored and records it as pending; :meth:`AnchorService.poll`
walks the live rows: a transaction ``confirmations`` deep becomes confirmed, one whose
block a reorganisation dropped waits to be mined again while the node still holds it, and
is orphaned (and its checkpoint anchored again) once the node has let it go.

Re-anchoring after a reorganisation always lands. With fees unchanged (a base fee at its
floor) the re-send would be, byte for byte, the dropped transaction: a local signer signs
another one instead (see :class:`~ledger.anchoring.chain.TxOptions`), and a transaction
already on record — a node-signed re-send, or a dropped one that landed after all and is
found on chain — is tracked again by its own row rather than recorded twice. A lost anchor
whose nonce later anchors in flight wait for is sent again at that very nonce, even though
a later checkpoint is on its way: otherwise those would wait for good.

Nothing is lost when the node is down: a row is written only after the node accepted the
transaction, so a failed send leaves the checkpoint unanchored and the next run sends it.
Nonces are chosen here (the node's pending count, or one past our highest pending row) so
two anchors in flight never share one. The service reads the ledger in snapshots and
writes its rows in units of work that leave the sequencer lock to appends. One service
instance serialises its own calls; run one anchoring process per ledger.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from sqlalchemy import Connection

from ledger.anchoring.anchor_client import AnchorContractClient
from ledger.anchoring.chain import Chain, Sender, TxOptions
from ledger.anchoring.settings import AnchorSettings
from ledger.anchoring.settle import Settler
from ledger.anchoring.store import (
    AnchorRow,
    AnchorStatus,
    add_pending,
    all_anchors,
    anchor_by_tx,
    highest_live_size,
    highest_pending_nonce,
    ledger_id_for,
    live_anchors,
    track_again,
    tx_hashes_at_nonce,
)
from ledger.core.errors import NotFound
from ledger.log import Ledger

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
        client: AnchorContractClient,
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
        self._settler = Settler(chain, lambda: self.settings, ledger.clock, self._writing)

    @property
    def address(self) -> str:
        """The sending account, checksummed (as anchors rows record it)."""
        raw = self.account if isinstance(self.account, str) else self.account.address
        return to_checksum_address(raw)

    def _mine(self, row: AnchorRow) -> bool:
        """Whether ``row`` was sent by this service's account (rows from before senders were
        recorded are taken to be: one anchorer was all there was)."""
        return row.sender is None or row.sender == self.address

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One unit of work on the anchors table, committed when the block ends.

        ``lock=False``: anchor bookkeeping must not queue behind (or hold up) appends.
        """
        with self.ledger.unit_of_work(lock=False) as uow:
            yield uow.connection
            uow.commit()

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

    def _anchor(
        self, tree_size: int, root: bytes, *, at_nonce: int | None = None
    ) -> AnchorRow | None:
        """Sends ``root`` at ``tree_size`` unless it is anchored or on its way already.

        ``at_nonce`` fills the nonce of a lost anchor that later ones wait for: it is sent
        even though a larger checkpoint is in flight (the contract takes both, in order).
        """
        if tree_size == 0:
            return None
        on = self.client.address  # rows on another contract (before a move to v2) don't count
        with self.ledger.reading() as connection:
            if at_nonce is None and highest_live_size(connection, on) >= tree_size:
                return None
            pending_nonce = highest_pending_nonce(connection, self.address)
        if self._on_chain_size() >= tree_size:
            self._adopt_from_chain()  # an earlier run sent it and stopped before its row
            return None
        if at_nonce is not None:
            nonce = at_nonce
        else:
            nonce = self.chain.next_nonce(self.address)
            if pending_nonce is not None:
                nonce = max(nonce, pending_nonce + 1)
        with self.ledger.reading() as connection:
            sent_before = tx_hashes_at_nonce(connection, nonce, self.address)
        # With nothing in flight, a dry run first turns a refusal (not the anchorer) into an
        # error before any gas is spent; with anchors in flight it could misjudge the state.
        options = TxOptions(
            nonce=nonce, gas=self.settings.gas, simulate=pending_nonce is None, avoid=sent_before
        )
        tx_hash = self.client.anchor(
            self.ledger_id, tree_size, root, sender=self.account, options=options
        )
        row = self._record(tx_hash, tree_size, root, nonce, self.address)
        log.info("anchor sent: size %d, tx 0x%s, nonce %d", tree_size, tx_hash.hex(), nonce)
        return row

    def _record(
        self, tx_hash: bytes, tree_size: int, root: bytes, nonce: int, sender: str
    ) -> AnchorRow:
        """Records a transaction as pending; one on record already is tracked again."""
        chain_id = self.chain.chain_id  # asked before the write transaction opens
        with self._writing() as connection:
            known = anchor_by_tx(connection, tx_hash)
            if known is None:
                add_pending(
                    connection,
                    ledger_id=self.ledger_id,
                    tree_size=tree_size,
                    root_hash=root,
                    chain_id=chain_id,
                    contract=self.client.address,
                    tx_hash=tx_hash,
                    nonce=nonce,
                    created_at=self.ledger.clock.now(),
                    sender=sender,
                )
            elif known.status is AnchorStatus.ORPHANED:
                track_again(connection, known.id)
                log.warning("anchor tx 0x%s is in play again: tracking it", tx_hash.hex())
            row = anchor_by_tx(connection, tx_hash)
        assert row is not None
        return row

    def _on_chain_size(self) -> int:
        return self.client.latest_size(self.ledger_id)

    def _adopt_from_chain(self) -> None:
        """Tracks recent anchors of this ledger on chain that no live row stands for.

        Either a run sent one and stopped before recording it, or a transaction given up
        as orphaned landed after all (a reorganisation put it back): its own row then
        tracks it again, so the checkpoint is not left orphaned while the contract holds it.
        """
        head = self.chain.head()
        events = self.client.events(from_block=max(0, head - self.settings.adopt_window_blocks))
        with self.ledger.reading() as connection:
            known = {r.tx_hash: r for r in all_anchors(connection)}
        for event in events:
            if event.name != "Anchored" or event.args["ledgerId"] != self.ledger_id:
                continue
            row = known.get(event.tx_hash)
            if row is not None and row.status is not AnchorStatus.ORPHANED:
                continue
            if row is None:
                with self.chain.translating():
                    tx = self.chain.w3.eth.get_transaction(HexBytes(event.tx_hash))
                nonce, sender = int(tx["nonce"]), str(to_checksum_address(tx["from"]))
            else:
                nonce, sender = row.nonce, row.sender or self.address
            size, root = int(event.args["treeSize"]), bytes(event.args["root"])
            self._record(event.tx_hash, size, root, nonce, sender)
            log.warning("adopted anchor tx 0x%s found on chain", event.tx_hash.hex())

    # -- settling --------------------------------------------------------------------------
    def poll(self) -> PollResult:
        """Confirms deep-enough anchors, orphans dropped ones and anchors those again."""
        with self._lock:
            with self.ledger.reading() as connection:
                rows = live_anchors(connection)
            head = self.chain.head() if rows else 0
            rows = [r for r in rows if not self._settler.final(r, head)]
            confirmed: list[int] = []
            lost: list[AnchorRow] = []
            for row in rows:
                state = self._settler.settle(row)
                if state is AnchorStatus.CONFIRMED and row.status is AnchorStatus.PENDING:
                    confirmed.append(row.tree_size)
                elif state is AnchorStatus.ORPHANED:
                    lost.append(row)
            reanchored = self._reanchor(lost)
            with self.ledger.reading() as connection:
                pending = sum(r.status is AnchorStatus.PENDING for r in live_anchors(connection))
        orphaned = tuple(sorted({r.tree_size for r in lost}))
        return PollResult(tuple(confirmed), orphaned, tuple(reanchored), pending)

    def _reanchor(self, lost: list[AnchorRow]) -> list[int]:
        """Sends the checkpoints of ``lost`` rows again; returns the sizes sent.

        A dropped transaction that landed after all is adopted first (the contract holds
        it: its row is tracked again). A lost nonce that later anchors in flight wait for
        is filled with its own checkpoint; otherwise the usual rule holds, and a checkpoint
        a later live anchor covers is not sent again.
        """
        if not lost:
            return []
        self._adopt_from_chain()
        mined = self.chain.next_nonce(self.address, "latest")
        sent: list[int] = []
        for row in sorted(lost, key=lambda r: r.nonce):
            root = self._checkpoint_root(row.tree_size)
            if root is None or row.tree_size in sent:
                continue
            with self.ledger.reading() as connection:
                later = [
                    r.nonce
                    for r in live_anchors(connection)
                    if r.nonce > row.nonce and self._mine(r)
                ]
            # Only our own account's lost nonce holds our later anchors up; a lost anchor of
            # an earlier anchorer is sent again at our next nonce like any checkpoint.
            blocking = self._mine(row) and row.nonce >= mined and bool(later)
            at_nonce = row.nonce if blocking else None
            if self._anchor(row.tree_size, root, at_nonce=at_nonce) is not None:
                sent.append(row.tree_size)
        return sorted(sent)

    def _checkpoint_root(self, size: int) -> bytes | None:
        try:
            return self.ledger.checkpoint_at(size).checkpoint.root_hash
        except NotFound:
            return None

    def anchors(self) -> list[AnchorRow]:
        """Every anchor row of this ledger, oldest first."""
        with self.ledger.reading() as connection:
            return all_anchors(connection)
