"""Verification that trusts nothing the operator says about itself.

One streaming core, :class:`StreamVerifier`, checks entries in order: contiguous sequence
numbers, canonical bytes, leaf hash, chain hash, the signer's key as the registry stood just
before the entry, the Ed25519 signature, and, each time the tree reaches the size of a
signed checkpoint, the Merkle root against that checkpoint. Its state is the chain tip, the
Merkle frontier (O(log n) hashes) and the participant registry, so memory stays flat as the
ledger grows. The database and bundle verifiers only feed it.

Errors name the first bad entry; signature checks run in chunks across threads (libsodium
releases the GIL), and a chunk reports the lowest failing sequence number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.core.checkpoint import NoteVerifier, SignedCheckpoint
from ledger.core.errors import LedgerError, VerificationFailed
from ledger.core.event_types import REGISTRY
from ledger.core.event_types.authority import authorise
from ledger.core.events import Event
from ledger.core.hashing import FORMAT_PLAIN, FORMAT_RECORDED, GENESIS_CHAIN, chain_hash, entry_leaf
from ledger.core.keybook import KeyBook
from ledger.core.keys import verify_signature
from ledger.core.merkle.append import Frontier
from ledger.core.merkle.nodes import NodeId

CHUNK = 2048
CLOCK_SKEW = timedelta(minutes=5)
"""How far a recording time may stray outside the signed checkpoints around it (writers'
clocks differ a little); beyond that the recording time is not what the ledger signed."""


@dataclass(frozen=True, slots=True)
class RawEntry:
    """An entry as a store or bundle holds it; nothing here is trusted."""

    seq: int
    event: Event
    leaf_hash: bytes
    chain_hash: bytes
    recorded_at: datetime | None = None
    format: int = FORMAT_PLAIN


@dataclass(slots=True)
class Report:
    tree_size: int = 0
    chain_hash: bytes = GENESIS_CHAIN
    root_hash: bytes = b""
    checkpoints: int = 0
    participants: int = 0
    keys: int = 0
    nodes_checked: int = 0
    notes: list[str] = field(default_factory=list)
    roots: dict[int, bytes] = field(default_factory=dict)
    anchors: list[dict[str, Any]] = field(default_factory=list)
    projections: dict[str, int] = field(default_factory=dict)  # name -> rows compared


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)  # stands in where a format-1 leaf needs no time


def fail(seq: int | None, detail: str) -> VerificationFailed:
    return VerificationFailed(detail, seq=seq)


class StreamVerifier:
    def __init__(
        self,
        ledger_public_key: bytes,
        origin: str,
        checkpoints: Iterable[SignedCheckpoint],
        *,
        threads: int = 2,
        on_nodes: Callable[[int, list[tuple[NodeId, bytes]]], None] | None = None,
        watch_sizes: Iterable[int] = (),
    ) -> None:
        self._watch = frozenset(watch_sizes)
        self._verifier = NoteVerifier.for_key(origin, ledger_public_key)
        self._origin = origin
        self._book = KeyBook.bootstrap(ledger_public_key)
        self._frontier = Frontier()
        self._pending: list[SignedCheckpoint] = []
        self.report = Report()
        for checkpoint in checkpoints:
            self.add_checkpoint(checkpoint)
        self._pending.sort(key=lambda c: c.checkpoint.tree_size, reverse=True)
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None
        self._on_nodes = on_nodes
        self._chunk: list[tuple[int, bytes, bytes, bytes]] = []
        self._last_recorded: datetime | None = None  # of the last format-2 entry
        self._floor: datetime | None = None  # the time of the last checkpoint reached

    def add_checkpoint(self, checkpoint: SignedCheckpoint) -> None:
        size = checkpoint.checkpoint.tree_size
        try:
            checkpoint.verify(self._verifier)
        except LedgerError as exc:
            raise fail(None, f"checkpoint at size {size}: {exc.detail}") from None
        if checkpoint.checkpoint.origin != self._origin:
            raise fail(None, f"checkpoint at size {size} is for another log")
        self._pending.append(checkpoint)
        self._pending.sort(key=lambda c: c.checkpoint.tree_size, reverse=True)
        self.report.checkpoints += 1

    def feed(self, raw: RawEntry) -> None:
        seq = self.report.tree_size
        if raw.seq != seq:
            what = "is missing" if raw.seq > seq else "appears out of order or twice"
            self._flush()
            raise fail(seq, f"entry {seq} {what} (found entry {raw.seq} in its place)")
        event = raw.event
        error = self._recording_error(raw)
        if error is None:
            leaf = entry_leaf(
                raw.format, event.canonical, event.signature, raw.recorded_at or _NEVER
            )
            if leaf != raw.leaf_hash:
                error = "leaf hash does not match the entry's content"
            else:
                tip = chain_hash(self.report.chain_hash, leaf)
                if tip != raw.chain_hash:
                    error = "chain hash does not follow from the previous entry"
        if error is None:
            at = raw.recorded_at if raw.format == FORMAT_RECORDED else None
            try:
                key = self._book.key_for(event, at=at)
                if raw.format == FORMAT_RECORDED:  # authority rules came with format 2
                    authorise(REGISTRY, self._book, event)
                self._book.apply(event)
            except LedgerError as exc:
                error = f"{exc.detail}" + (f" ({exc.field})" if exc.field else "")
        if error is not None:
            self._flush()
            raise fail(seq, error)
        self._chunk.append((seq, key.public_key, event.canonical, event.signature))
        self.report.chain_hash = tip
        nodes = self._frontier.push(leaf)
        if self._on_nodes is not None and nodes:
            self._on_nodes(seq, nodes)
        self.report.tree_size = seq + 1
        if self.report.tree_size in self._watch:
            self.report.roots[self.report.tree_size] = self._frontier.root()
        self._check_checkpoint()
        if len(self._chunk) >= CHUNK:
            self._flush()

    def _recording_error(self, raw: RawEntry) -> str | None:
        """Format-2 recording times go forward and sit between the checkpoints around them."""
        if raw.format == FORMAT_PLAIN:
            return None
        if raw.format != FORMAT_RECORDED:
            return f"unknown entry format {raw.format}"
        if raw.recorded_at is None:
            return "a format-2 entry needs its recording time"
        if self._last_recorded is not None and raw.recorded_at < self._last_recorded:
            return "recorded before the entry preceding it: recording times go forward"
        if self._floor is not None and raw.recorded_at < self._floor - CLOCK_SKEW:
            return "recorded before the signed checkpoint preceding it"
        self._last_recorded = raw.recorded_at
        return None

    def _check_checkpoint(self) -> None:
        while self._pending and self._pending[-1].checkpoint.tree_size <= self.report.tree_size:
            checkpoint = self._pending.pop().checkpoint
            if checkpoint.tree_size < self.report.tree_size:
                raise fail(
                    None, f"checkpoint at size {checkpoint.tree_size} was not reached in order"
                )
            signed_at = datetime.fromtimestamp(checkpoint.timestamp, UTC)
            if self._last_recorded is not None and self._last_recorded > signed_at + CLOCK_SKEW:
                self._flush()
                raise fail(
                    checkpoint.tree_size - 1,
                    f"recorded after the checkpoint at size {checkpoint.tree_size} that covers it",
                )
            self._floor = signed_at
            root = self._frontier.root()
            if root != checkpoint.root_hash:
                self._flush()
                raise fail(
                    checkpoint.tree_size - 1,
                    f"Merkle root at size {checkpoint.tree_size} is {root.hex()}, but the signed "
                    f"checkpoint says {checkpoint.root_hash.hex()}: history was rewritten",
                )

    def _flush(self) -> None:
        chunk, self._chunk = self._chunk, []

        def check(item: tuple[int, bytes, bytes, bytes]) -> int | None:
            seq, public_key, message, signature = item
            try:
                verify_signature(public_key, message, signature)
            except LedgerError:
                return seq
            return None

        halves = [chunk[i::2] for i in range(2)] if self._pool else [chunk]
        if self._pool is not None:
            results = list(self._pool.map(lambda part: [check(x) for x in part], halves))
        else:
            results = [[check(x) for x in chunk]]
        bad = [seq for part in results for seq in part if seq is not None]
        if bad:
            raise fail(min(bad), "signature does not verify")

    def finish(self) -> Report:
        self._flush()
        if self._pending:
            size = self._pending[0].checkpoint.tree_size
            raise fail(
                self.report.tree_size,
                f"the ledger ends at {self.report.tree_size} entries, below the signed "
                f"checkpoint at size {size}: entries were truncated",
            )
        self.report.root_hash = self._frontier.root()
        self.report.participants = len(self._book.participants)
        self.report.keys = len(self._book.keys)
        if self._pool is not None:
            self._pool.shutdown()
        return self.report

    @property
    def book(self) -> KeyBook:
        return self._book
