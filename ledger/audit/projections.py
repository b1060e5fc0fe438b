"""Every projection must equal a replay of the log: checked table by table.

The verifier replays each installed projector over the ledger's own entries (already
verified by then) into a scratch SQLite database, in the order they apply on append, then
compares each of the projector's tables with the stored one, row by row in primary-key
order. A row added, dropped or edited in a read model — a forged EPCIS index row, a pledge
that no entry made — fails verification, and so does an entry the projector would refuse.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, Table, create_engine, select

from ledger.core.errors import LedgerError
from ledger.storage.models import ProjectionState
from ledger.storage.projections import Projector, Projectors, replay
from ledger.verification.stream import fail


@dataclass(frozen=True, slots=True)
class ProjectionCheck:
    name: str
    entries: int
    rows: int


def _rows(
    connection: Connection, table: Table
) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """(primary key, row) in code-point order of the key on every backend."""
    keys = list(table.primary_key.columns) or list(table.columns)
    binary = "C" if connection.dialect.name == "postgresql" else "BINARY"
    order = [c.collate(binary) if isinstance(c.type, String) else c for c in keys]
    positions = [list(table.columns).index(c) for c in keys]
    for row in connection.execute(select(table).order_by(*order)).yield_per(5000):
        values = tuple(row)
        yield tuple(values[i] for i in positions), values


def _compare(stored: Connection, replayed: Connection, projector: Projector, table: Table) -> int:
    """Merge the two tables by primary key; raise at the first row that differs."""
    where = f"projection {projector.name}: table {table.name}"
    ours, theirs = _rows(replayed, table), _rows(stored, table)
    mine, found = next(ours, None), next(theirs, None)
    count = 0
    while mine is not None or found is not None:
        if found is None or (mine is not None and mine[0] < found[0]):
            assert mine is not None
            raise fail(None, f"{where} is missing the row {mine[1]!r} the log gives")
        if mine is None or found[0] < mine[0]:
            raise fail(None, f"{where} holds a row no entry made: {found[1]!r}")
        if mine[1] != found[1]:
            raise fail(None, f"{where} holds {found[1]!r} where the log gives {mine[1]!r}")
        count += 1
        mine, found = next(ours, None), next(theirs, None)
    return count


def check_projections(connection: Connection, projectors: Projectors) -> list[ProjectionCheck]:
    """Raise :class:`VerificationFailed` unless every projection equals its replay."""
    built = dict(connection.execute(select(ProjectionState.name, ProjectionState.version)).all())
    checks = []
    for name in sorted(set(built) - set(projectors.names())):
        checks.append(ProjectionCheck(name, -1, -1))  # kept by the ledger, not installed here
    with tempfile.TemporaryDirectory(prefix="threeflow-replay-") as folder:
        scratch = create_engine(f"sqlite:///{Path(folder) / 'replay.db'}")
        try:
            with scratch.begin() as target:
                for projector in projectors:
                    if built.get(projector.name) != projector.version:
                        raise fail(
                            None,
                            f"projection {projector.name} v{projector.version} was never built "
                            f"on this ledger (it records {built.get(projector.name)})",
                        )
                    for table in projector.tables:
                        table.create(target)
                for projector in projectors:
                    try:
                        entries = replay(target, projector, source=connection)
                    except LedgerError as exc:
                        raise fail(
                            exc.seq,
                            f"projection {projector.name} refuses an entry of the log: {exc}",
                        ) from None
                    rows = sum(
                        _compare(connection, target, projector, table) for table in projector.tables
                    )
                    checks.append(ProjectionCheck(projector.name, entries, rows))
        finally:
            scratch.dispose()
    return checks
