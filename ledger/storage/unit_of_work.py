"""The unit of work: one database transaction over the ledger, committed in one place.

A feature opens one, appends through it, reads and writes its own tables on its
connection, and commits; leaving the block without committing rolls everything back —
entries, Merkle nodes, the head, the registry and every projection. Nothing else commits.

By default the sequencer lock (the head row) is taken when the unit opens, so what a
feature reads inside it is the state its appends will be judged against: a pledge refused
by a projector is refused in the very transaction that would have written it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from types import TracebackType

from sqlalchemy import Connection, Engine

from ledger.core.clock import Clock
from ledger.core.entry import Appended
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.storage.batches import Prepared
from ledger.storage.head import Tip, load_tip, lock_head
from ledger.storage.projections import Projectors
from ledger.storage.sequencer import Sequencer


class TipCache:
    """The tip after this process's last commit, reused when nobody else wrote since."""

    def __init__(self) -> None:
        self._tip: Tip | None = None
        self._lock = threading.Lock()
        self.committed_size = 0  # the largest size this process committed (memory only)

    def take(self) -> Tip | None:
        with self._lock:
            tip, self._tip = self._tip, None
        return tip

    def put(self, tip: Tip) -> None:
        with self._lock:
            self._tip = tip
            self.committed_size = max(self.committed_size, tip.tree_size)


class UnitOfWork:
    def __init__(
        self,
        engine: Engine,
        sequencer: Sequencer,
        projectors: Projectors,
        clock: Clock,
        tips: TipCache,
        *,
        lock: bool = True,
        after_commit: Callable[[int], object] | None = None,
    ) -> None:
        self._engine = engine
        self._sequencer = sequencer
        self._projectors = projectors
        self._clock = clock
        self._tips = tips
        self._lock_at_start = lock
        self._after_commit = after_commit
        self._connection: Connection | None = None
        self._tip: Tip | None = None
        self._appended = False
        self._done = False
        self.before_commit: Callable[[], None] | None = None  # test hook, inside the tx

    def __enter__(self) -> UnitOfWork:
        self._connection = self._engine.connect()
        self._connection.begin()
        try:
            if self._lock_at_start:
                self.lock()
        except BaseException:
            self._close(commit=False)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._done:
            self._close(commit=False)

    @property
    def connection(self) -> Connection:
        """The transaction's connection, for the feature's own tables and projections."""
        if self._connection is None or self._done:
            raise LedgerError("the unit of work is not open")
        return self._connection

    def lock(self) -> Tip:
        """Take the sequencer lock (once) and return the tip as it stands."""
        if self._tip is None:
            head = lock_head(self.connection)
            self._tip = load_tip(self.connection, head, self._tips.take())
        return self._tip

    @property
    def tree_size(self) -> int:
        return self.lock().tree_size

    def append(
        self, events: Sequence[Event] | Prepared, *, operator: bool = False
    ) -> list[Appended]:
        """Append a batch (all or none) and project its new entries, in this transaction."""
        prepared = (
            events
            if isinstance(events, Prepared)
            else self._sequencer.prepare(events, self._clock.now(), operator=operator)
        )
        tip = self.lock()
        written = self._sequencer.write(self.connection, tip, prepared, self._clock.now())
        fresh = [entry for entry in written.entries if not entry.replayed]
        self._projectors.apply(self.connection, fresh)
        self._tip = written.tip
        self._appended = self._appended or bool(fresh)
        return written.entries

    def commit(self) -> None:
        if self.before_commit is not None:
            self.before_commit()
        tip = self._tip
        self._close(commit=True)
        if tip is not None:
            self._tips.put(tip)
        if self._appended and tip is not None and self._after_commit is not None:
            self._after_commit(tip.tree_size)

    def rollback(self) -> None:
        self._close(commit=False)

    def _close(self, *, commit: bool) -> None:
        connection, self._connection = self._connection, None
        self._done = True
        if connection is None:
            return
        try:
            if commit:
                connection.commit()
            else:
                connection.rollback()
        finally:
            connection.close()
