"""Projections: read models kept in the append's own transaction, and rebuilt from the log.

A :class:`Projector` owns some tables and reads the entries of some event types. The unit
of work hands it each append's new entries on the same connection, before the commit: it
updates its tables, or raises a :class:`~ledger.core.errors.LedgerError` to refuse, and the
whole append — entries, Merkle nodes, head, every projection — is undone with it.

Projectors are found through the ``threeflow.projectors`` entry-point group, so the log
never imports a feature, and yet every process that writes to a ledger applies every
installed projection. The ``projections`` table names the projections a ledger has been
built with: a process lacking one of them may not write (it would let entries through that
the projection would refuse), and a projection new to a ledger is built from the log when
the ledger is opened. Projectors may read only their own tables (and those of projectors
ordered before them), never the log's, so verification can replay them from the entries
alone into a scratch database and compare.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from sqlalchemy import Connection, Table, delete, insert, select, update

from ledger.core.entry import LedgerEntry
from ledger.core.errors import LedgerError
from ledger.storage.models import Entry, ProjectionState
from ledger.storage.reads import entry_from_row

ENTRY_POINTS = "threeflow.projectors"
PAGE = 2000


@runtime_checkable
class Projector(Protocol):
    """A read model derived from entries of some event types."""

    name: str
    version: int
    order: int
    event_types: frozenset[str]
    tables: tuple[Table, ...]

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        """Project new entries (in sequence order, only of ``event_types``); raise to refuse."""


class ProjectionMissing(LedgerError):
    code = "projection_missing"
    status = 503


class Projectors:
    """The projectors of one ledger, in the order they apply."""

    def __init__(self, projectors: Iterable[Projector]) -> None:
        chosen: dict[str, Projector] = {}
        for projector in projectors:
            if not isinstance(projector, Projector):
                raise LedgerError(f"{projector!r} is not a projector")
            if projector.name in chosen:
                raise LedgerError(f"two projectors are named {projector.name!r}")
            chosen[projector.name] = projector
        self.all: tuple[Projector, ...] = tuple(
            sorted(chosen.values(), key=lambda p: (p.order, p.name))
        )
        self._by_type: dict[str, tuple[Projector, ...]] = {}
        for projector in self.all:
            for etype in projector.event_types:
                self._by_type[etype] = (*self._by_type.get(etype, ()), projector)

    @classmethod
    def installed(cls, extra: Iterable[Projector] = ()) -> Projectors:
        """Every projector registered under the entry-point group, plus ``extra``."""
        found = [point.load() for point in entry_points(group=ENTRY_POINTS)]
        return cls([*found, *extra])

    def __iter__(self) -> Iterator[Projector]:
        return iter(self.all)

    def names(self) -> list[str]:
        return [p.name for p in self.all]

    def get(self, name: str) -> Projector:
        for projector in self.all:
            if projector.name == name:
                return projector
        raise LedgerError(f"no projection named {name!r}", field="projection")

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        """Hand each projector the new entries of its types (one call per projector)."""
        if not self.all or not entries:
            return
        wanted: dict[str, list[LedgerEntry]] = {}
        for entry in entries:
            for projector in self._by_type.get(entry.event.type, ()):
                wanted.setdefault(projector.name, []).append(entry)
        for projector in self.all:
            mine = wanted.get(projector.name)
            if mine:
                projector.apply(connection, mine)

    # -- building and rebuilding -----------------------------------------------------
    def reconcile(self, connection: Connection) -> list[str]:
        """Build projections new to this ledger; refuse when one it was built with is absent.

        Runs inside a write transaction holding the sequencer lock. Returns the names built.
        """
        state = {
            row.name: row.version
            for row in connection.execute(select(ProjectionState.name, ProjectionState.version))
        }
        absent = sorted(set(state) - set(self.names()))
        if absent:
            raise ProjectionMissing(
                f"this ledger keeps the projection(s) {', '.join(absent)}, which this process "
                "does not have installed; writing without them could admit entries they refuse"
            )
        built = []
        for projector in self.all:
            if state.get(projector.name) != projector.version:
                rebuild(connection, projector)
                built.append(projector.name)
        return built


def _clear(connection: Connection, projector: Projector) -> None:
    for table in reversed(projector.tables):
        connection.execute(delete(table))


def replay(connection: Connection, projector: Projector, source: Connection | None = None) -> int:
    """Apply every entry of the projector's types, read from ``source`` (default: the same
    connection), to its tables on ``connection``. Returns the entries applied."""
    reader = source or connection
    after, count = -1, 0
    types = sorted(projector.event_types)
    while True:
        rows = reader.execute(
            select(Entry.__table__)
            .where(Entry.type.in_(types), Entry.seq > after)
            .order_by(Entry.seq)
            .limit(PAGE)
        ).all()
        if not rows:
            return count
        page = [entry_from_row(row) for row in rows]
        projector.apply(connection, page)
        count += len(page)
        after = page[-1].seq


def rebuild(connection: Connection, projector: Projector) -> int:
    """Recompute one projection from the log, in the caller's (write) transaction."""
    _clear(connection, projector)
    count = replay(connection, projector)
    done = connection.execute(
        update(ProjectionState)
        .where(ProjectionState.name == projector.name)
        .values(version=projector.version)
    )
    if done.rowcount == 0:
        connection.execute(
            insert(ProjectionState).values(name=projector.name, version=projector.version)
        )
    return count
