"""Signed checkpoints: cut on demand, every N entries and every T seconds, read by size.

The newest checkpoint in the database counts, whoever cut it (another process, or this one
before a restart). After an append the checkpointer decides from what it remembers of the
newest checkpoint, so an append costs no extra read; only when a checkpoint looks due does
it read the database again (another writer may have cut one) and cut under the lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select

from ledger.core.checkpoint import Checkpoint, SignedCheckpoint
from ledger.core.clock import Clock
from ledger.core.errors import LedgerError, NotFound
from ledger.core.keys import SigningKey
from ledger.core.merkle.proof import root_at
from ledger.storage import models
from ledger.storage.head import lock_head
from ledger.storage.nodes import SqlNodeReader
from ledger.storage.reads import tree_size


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    every_entries: int = 1000
    every_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class _Newest:
    tree_size: int
    since: datetime | None  # when it was cut; before the first, the first entry's time


class Checkpointer:
    def __init__(
        self,
        engines_write: Engine,
        engines_read: Engine,
        origin: str,
        key: SigningKey | None,
        clock: Clock,
        policy: CheckpointPolicy,
    ) -> None:
        self._write = engines_write
        self._read = engines_read
        self._origin = origin
        self._key = key
        self._clock = clock
        self.policy = policy
        self._newest: _Newest | None = None
        self._lock = threading.Lock()

    def cut(self) -> SignedCheckpoint:
        """Cut a signed checkpoint at the current size (or return the one already there)."""
        if self._key is None:
            raise LedgerError("this ledger was opened without its signing key")
        with self._write.begin() as connection:
            head = lock_head(connection)
            existing = connection.execute(
                select(models.Checkpoint.note).where(models.Checkpoint.tree_size == head.tree_size)
            ).scalar_one_or_none()
            if existing is not None:
                signed = SignedCheckpoint.parse(existing)
            else:
                root = root_at(head.tree_size, SqlNodeReader(connection))
                stamp = int(self._clock.now().timestamp())
                signed = Checkpoint(self._origin, head.tree_size, root, stamp).sign(
                    self._key, self._origin
                )
                connection.execute(
                    insert(models.Checkpoint).values(
                        tree_size=head.tree_size, root_hash=root, timestamp=stamp, note=signed.note
                    )
                )
        cp = signed.checkpoint
        self._remember(_Newest(cp.tree_size, datetime.fromtimestamp(cp.timestamp, UTC)))
        return signed

    def _remember(self, newest: _Newest) -> None:
        with self._lock:
            if self._newest is None or newest.tree_size >= self._newest.tree_size:
                self._newest = newest

    def _due(self, size: int, newest: _Newest) -> bool:
        if size <= newest.tree_size:
            return False
        elapsed = (
            (self._clock.now() - newest.since).total_seconds() if newest.since is not None else 0.0
        )
        return (
            size - newest.tree_size >= self.policy.every_entries
            or elapsed >= self.policy.every_seconds
        )

    def maybe_cut(self, size: int | None = None) -> SignedCheckpoint | None:
        """Cut when N entries or T seconds have passed since the newest checkpoint.

        ``size`` is the tree size just committed, when the caller knows it; without it (the
        server's timer) the state is read from the database.
        """
        if self._key is None:
            return None
        with self._lock:
            newest = self._newest
        if newest is not None and size is not None and not self._due(size, newest):
            return None
        fresh, current = self._read_newest()
        self._remember(fresh)
        if self._due(current, fresh):
            return self.cut()
        return None

    def _read_newest(self) -> tuple[_Newest, int]:
        with self._read.begin() as connection:
            current = tree_size(connection)
            latest = connection.execute(
                select(models.Checkpoint.tree_size, models.Checkpoint.timestamp)
                .order_by(models.Checkpoint.tree_size.desc())
                .limit(1)
            ).first()
            if latest is not None:
                return (
                    _Newest(int(latest.tree_size), datetime.fromtimestamp(latest.timestamp, UTC)),
                    current,
                )
            first = connection.execute(
                select(models.Entry.recorded_at).where(models.Entry.seq == 0)
            ).scalar_one_or_none()
            return _Newest(0, first), current

    def latest(self) -> SignedCheckpoint:
        with self._read.connect() as connection:
            note = connection.execute(
                select(models.Checkpoint.note).order_by(models.Checkpoint.tree_size.desc()).limit(1)
            ).scalar_one_or_none()
        if note is None:
            raise NotFound("no checkpoint has been cut yet")
        return SignedCheckpoint.parse(note)

    def at(self, size: int) -> SignedCheckpoint:
        """The checkpoint signed at exactly ``size`` entries, or :class:`NotFound`."""
        with self._read.connect() as connection:
            note = connection.execute(
                select(models.Checkpoint.note).where(models.Checkpoint.tree_size == size)
            ).scalar_one_or_none()
        if note is None:
            raise NotFound(f"no checkpoint was signed at tree size {size}", field="tree_size")
        return SignedCheckpoint.parse(note)

    def newest_known_size(self) -> int:
        """The largest checkpoint size this process cut or read (memory only, no query)."""
        newest = self._newest
        return newest.tree_size if newest is not None else 0

    def latest_size(self) -> int:
        with self._read.connect() as connection:
            value = connection.execute(
                select(func.max(models.Checkpoint.tree_size))
            ).scalar_one_or_none()
        return int(value or 0)
