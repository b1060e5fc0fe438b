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
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, delete
from sqlalchemy.orm import QueryableAttribute

Ts = TypeVarTuple("Ts")
Column = ColumnElement[Any] | QueryableAttribute[Any]


def with_keys(
    connection: Connection,
    stmt: Select[*Ts],
    columns: Sequence[Column],
    keys: Collection[tuple[Any, ...]],
) -> Iterator[Row[*Ts]]:
    """The rows of ``stmt`` whose ``columns`` are one of ``keys``; ``stmt`` selects those
    columns first, in that order."""
    if not keys:
        return
    wanted = set(keys)
    width = len(columns)
    for row in connection.execute(narrowed(stmt, columns, wanted)):
        if tuple(row[:width]) in wanted:
            yield row


def narrowed(
    stmt: Select[*Ts], columns: Sequence[Column], keys: Collection[tuple[Any, ...]]
) -> Select[*Ts]:
    """``stmt`` limited to rows whose every column takes a value it takes among ``keys``."""
    return stmt.where(
        *(column.in_(sorted({key[i] for key in keys})) for i, column in enumerate(columns))
    )


def delete_keys(
    connection: Connection,
    entity: type[Any],
    names: Sequence[str],
    keys: Collection[tuple[Any, ...]],
) -> None:
    """Delete the rows of the mapped ``entity`` whose columns ``names`` are one of ``keys``
    (exactly)."""
    if not keys:
        return
    match = (getattr(entity, name) == bindparam(f"k_{name}") for name in names)
    connection.execute(delete(entity).where(*match), [
        {f"k_{name}": value for name, value in zip(names, key, strict=True)} for key in keys
    ])  # fmt: skip
