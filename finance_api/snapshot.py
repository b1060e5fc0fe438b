"""A snapshot of the ledger's head for the hottest public reads, refreshed in the background.

``/health`` and ``/v1/checkpoints/latest`` are asked for far more often than they change;
reading the database for each costs a transaction and SQLAlchemy's machinery, ten times the
request itself. The app keeps the tree size and the latest signed checkpoint here, refreshed
every :data:`REFRESH` seconds by a background task (and right after this process appends),
so those answers are at most that stale — a checkpoint is signed, so a stale one is still
true — and the health check reports the database as down when refreshing fails.
:class:`Rendered` keeps proofs already served, as bytes, since they never change.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import orjson

from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import NotFound
from ledger.log import Ledger

REFRESH = 0.5
STALE_AFTER = 10.0


@dataclass(frozen=True, slots=True)
class Head:
    tree_size: int
    checkpoint: dict[str, Any] | None
    at: float  # monotonic time of the refresh
    body: bytes | None = None  # the checkpoint as served (JSON), serialised once


def checkpoint_json(signed: SignedCheckpoint) -> dict[str, Any]:
    cp = signed.checkpoint
    return {
        "origin": cp.origin,
        "tree_size": cp.tree_size,
        "root_hash": cp.root_hash.hex(),
        "timestamp": cp.timestamp,
        "note": signed.note,
    }


class Snapshot:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.head: Head | None = None
        self.error: str | None = None

    def refresh(self) -> Head:
        """Read the head now (blocking: run it in a worker thread)."""
        try:
            size = self.ledger.size()
            try:
                latest: dict[str, Any] | None = checkpoint_json(self.ledger.latest_checkpoint())
            except NotFound:
                latest = None
        except Exception as exc:  # the database is down: say so in /health, keep the last head
            self.error = f"{exc.__class__.__name__}: {exc}"[:300]
            raise
        self.error = None
        body = orjson.dumps(latest) if latest is not None else None
        self.head = Head(size, latest, time.monotonic(), body)
        return self.head

    def current(self) -> Head:
        """The last head read, or a fresh read when there is none yet."""
        head = self.head
        return head if head is not None else self.refresh()

    def healthy(self) -> bool:
        head = self.head
        return (
            self.error is None and head is not None and (time.monotonic() - head.at < STALE_AFTER)
        )


PROOFS_KEPT = 8192  # about 1 KB each at a million entries: under 10 MB


class Rendered:
    """Immutable answers already serialised, newest kept: a proof for a given tree never
    changes (the tree only grows and a stored node is never rewritten), so the bytes sent
    once are the bytes to send again. Used from the event loop only: no lock."""

    def __init__(self, kept: int = PROOFS_KEPT) -> None:
        self._kept = kept
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, body: bytes) -> None:
        self._items[key] = body
        if len(self._items) > self._kept:
            self._items.popitem(last=False)
