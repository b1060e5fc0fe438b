"""Rows by composite key, read and deleted so that an index on the key serves them.

The projectors read (and delete) rows by keys of several columns: (recipient, subject),
(device, account), a login's five facts. A row-value ``IN`` — ``(a, b) IN ((?, ?), ...)`` —
is the exact set, but SQLite answers it by walking the whole table (its plan reads
``SCAN``), once per batch: a cost that grew with the table, so every score shown, login
counted or flag cleared cost more as the ledger aged. Here a read asks each column for
the values it takes among the keys (``a IN (...) AND b IN (...)``), which both backends
answer from the key's index, and keeps only the rows whose whole key was asked; a delete
runs one prebuilt statement per key (``a = ? AND b = ?``), many keys in one call.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any, Generic, TypeVarTuple

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, delete
from sqlalchemy.orm import QueryableAttribute

Ts = TypeVarTuple("Ts")
Column = ColumnElement[Any] | QueryableAttribute[Any]


class Keyed(Generic[*Ts]):
    """A ``SELECT`` of rows by composite key, built once: ``stmt`` selects the key's
    ``columns`` first, in that order, and each column is asked for its own values."""

    def __init__(self, stmt: Select[*Ts], columns: Sequence[Column]) -> None:
        self.width = len(columns)
        self.stmt = stmt.where(*(
            column.in_(bindparam(f"keyed_{i}", expanding=True)) for i, column in enumerate(columns)
        ))  # fmt: skip

    def params(self, keys: Collection[tuple[Any, ...]]) -> dict[str, list[Any]]:
        return {f"keyed_{i}": sorted({key[i] for key in keys}) for i in range(self.width)}

    def rows(self, connection: Connection, keys: Collection[tuple[Any, ...]]) -> Iterator[Row[*Ts]]:
        """The rows whose whole key is one of ``keys``."""
        if not keys:
            return
        wanted, width = set(keys), self.width
        for row in connection.execute(self.stmt, self.params(wanted)):
            if tuple(row[:width]) in wanted:
                yield row


class KeyedDelete:
    """A ``DELETE`` of rows by composite key (exactly those keys), built once."""

    def __init__(self, entity: type[Any], names: Sequence[str]) -> None:
        self.names = tuple(names)
        match = (getattr(entity, name) == bindparam(f"k_{name}") for name in names)
        self.stmt = delete(entity).where(*match)

    def run(self, connection: Connection, keys: Collection[tuple[Any, ...]]) -> None:
        if keys:
            connection.execute(self.stmt, [
                {f"k_{name}": value for name, value in zip(self.names, key, strict=True)}
                for key in keys
            ])  # fmt: skip
