"""Merkle node reads from the database: one query per proof, whatever its size.

The statements are written as SQL text with driver placeholders: a proof needs only a few
dozen ids, and building the equivalent SQLAlchemy expression (an ``or_`` of per-level
``in_`` clauses, then its cache key) cost several times the query itself, about 8 of the
10 ms a proof took at a million entries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine

from ledger.core.merkle.nodes import NodeId
from ledger.storage.models import Entry, LedgerHead, MerkleNode

_LEAVES = f"SELECT 0, seq, leaf_hash FROM {Entry.__tablename__} WHERE seq IN ({{marks}})"
_HEAD = f"SELECT tree_size FROM {LedgerHead.__tablename__} WHERE id = 1"
_CHUNK = 2000  # ids per statement: far below SQLite's and PostgreSQL's parameter limits
_INNER = f"SELECT level, idx, hash FROM {MerkleNode.__tablename__} WHERE {{levels}}"


class DriverReads:
    """Plain SQL on a pooled DB-API connection, with none of SQLAlchemy's machinery.

    Proof requests are the hottest reads of a public ledger; each needs the head's size and
    a few dozen immutable hashes. Building statements, emitting ``BEGIN`` and wrapping
    results cost several times the queries, so these go to the driver directly (reads of
    immutable rows need no transaction: a node once written never changes).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.paramstyle = engine.dialect.paramstyle

    @contextmanager
    def cursor(self) -> Iterator[_Cursor]:
        connection = self._engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                yield _Cursor(cursor, self.paramstyle)
            finally:
                cursor.close()
            connection.rollback()
        finally:
            connection.close()


class _Cursor:
    """The two calls the readers make, over a DB-API cursor."""

    def __init__(self, cursor: Any, paramstyle: str) -> None:
        self._cursor = cursor
        self.mark = "?" if paramstyle == "qmark" else "%s"

    def exec_driver_sql(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        self._cursor.execute(sql, params)
        rows: list[Any] = self._cursor.fetchall()
        return rows

    def tree_size(self) -> int:
        [(size,)] = self.exec_driver_sql(_HEAD)
        return int(size)


class SqlNodeReader:
    """Serves level-0 nodes from ``entries.leaf_hash`` and the rest from ``merkle_nodes``."""

    def __init__(self, connection: Connection | _Cursor) -> None:
        self._connection = connection
        if isinstance(connection, _Cursor):
            self._mark = connection.mark
        else:
            self._mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        if len(ids) <= _CHUNK:
            return self._read(ids)
        found: dict[NodeId, bytes] = {}
        for start in range(0, len(ids), _CHUNK):
            found.update(self._read(ids[start : start + _CHUNK]))
        return found

    def _read(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]:
        mark = self._mark
        leaves = [node.index for node in ids if node.level == 0]
        inner = [(node.level, node.index) for node in ids if node.level > 0]
        selects: list[str] = []
        params: list[int] = []
        if leaves:
            selects.append(_LEAVES.format(marks=", ".join([mark] * len(leaves))))
            params.extend(leaves)
        if inner:
            # One condition per level (level = L AND idx IN (...)): SQLite does not use the
            # primary key for a row-value IN, and a proof touches only O(log n) levels.
            by_level: dict[int, list[int]] = {}
            for level, idx in inner:
                by_level.setdefault(level, []).append(idx)
            conditions = []
            for level, idxs in by_level.items():
                conditions.append(f"(level = {mark} AND idx IN ({', '.join([mark] * len(idxs))}))")
                params.append(level)
                params.extend(idxs)
            selects.append(_INNER.format(levels=" OR ".join(conditions)))
        if not selects:
            return {}
        # leaves and inner nodes in one round trip
        rows = self._connection.exec_driver_sql(" UNION ALL ".join(selects), tuple(params))
        return {NodeId(level, idx): digest for level, idx, digest in rows}


class PrefetchedNodes:
    """A reader that asked for every node a request will need in one ``get_nodes`` call.

    A proof request reads its path, its leaf and one or two roots; reading them together
    saves the database round trips in between. Anything not prefetched is read through.
    """

    def __init__(self, reader: SqlNodeReader, ids: Sequence[NodeId]) -> None:
        self._reader = reader
        self._found = dict(reader.get_nodes(ids))

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        missing = [node for node in ids if node not in self._found]
        if missing:
            self._found.update(self._reader.get_nodes(missing))
        return self._found
