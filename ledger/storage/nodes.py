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

from ledger.core.errors import LedgerError
from ledger.core.merkle.nodes import NodeId
from ledger.core.merkle.proof import Key
from ledger.storage.models import Entry, LedgerHead, MerkleNode

_LEAVES = f"SELECT 0, seq, leaf_hash FROM {Entry.__tablename__} WHERE seq IN ({{marks}})"
_HEAD = f"SELECT tree_size FROM {LedgerHead.__tablename__} WHERE id = 1"
# the head's size as a row of the node union: level -1 is no node's
_HEAD_ROW = f"SELECT -1, tree_size, NULL FROM {LedgerHead.__tablename__} WHERE id = 1"
_CHUNK = 2000  # ids per statement: far below SQLite's and PostgreSQL's parameter limits
READ_KEYS = _CHUNK  # keys one read_with_head takes at most
_INNER = f"SELECT level, idx, hash FROM {MerkleNode.__tablename__} WHERE {{levels}}"
_PG_NODES = (
    f"SELECT 0, seq, leaf_hash FROM {Entry.__tablename__} WHERE seq = ANY(%s::bigint[])"
    f" UNION ALL SELECT n.level, n.idx, n.hash FROM {MerkleNode.__tablename__} AS n"
    " JOIN unnest(%s::integer[], %s::bigint[]) AS k(level, idx)"
    " ON n.level = k.level AND n.idx = k.idx"
)
_PG_WITH_HEAD = f"{_PG_NODES} UNION ALL {_HEAD_ROW}"
_SHAPES: dict[tuple[str, bool, tuple[int, ...]], tuple[str, tuple[int, ...]]] = {}
_MAX_SHAPES = 4096  # statement texts remembered (see _statement)
_SHAPE_KEYS = 128  # keys at most in a remembered shape: a proof has a few dozen


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


class KeptReads(DriverReads):
    """:class:`DriverReads` on a few connections taken from the pool once and kept.

    A checkout costs more than a proof's query: the pool's bookkeeping and its reset on
    return on SQLite, and on PostgreSQL a ping, ``BEGIN`` and two ``ROLLBACK`` round trips
    around the one ``SELECT`` (six round trips a proof). Kept connections run in
    autocommit (each statement its own snapshot, which is all one read needs), so a read is
    one round trip, and PostgreSQL prepares the statements they repeat. A connection whose
    read failed in the driver is closed for good and replaced on the next read (a
    restarted server is then reconnected to, as the pool's ping would); :meth:`close`
    hands the rest back to the pool.
    """

    def __init__(self, engine: Engine, keep: int = 4) -> None:
        super().__init__(engine)
        self._keep = keep
        self._idle: list[tuple[Any, _Cursor]] = []  # append and pop are atomic: no lock
        self._driver_error: type[BaseException] = engine.dialect.loaded_dbapi.Error
        self._postgres = engine.dialect.name == "postgresql"

    def _open(self) -> tuple[Any, _Cursor]:
        connection = self._engine.raw_connection()
        if self._postgres:
            connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        return connection, _Cursor(connection.cursor(), self.paramstyle)

    @contextmanager
    def cursor(self) -> Iterator[_Cursor]:
        try:
            kept = self._idle.pop()
        except IndexError:
            kept = self._open()
        try:
            yield kept[1]
        except self._driver_error:
            kept[0].invalidate()  # broken or not, never used again
            raise
        except BaseException:
            self._put_back(kept)
            raise
        self._put_back(kept)

    def _put_back(self, kept: tuple[Any, _Cursor]) -> None:
        if len(self._idle) < self._keep:
            self._idle.append(kept)
        else:
            self._release(kept)

    def _release(self, kept: tuple[Any, _Cursor]) -> None:
        connection, cursor = kept
        cursor.close()
        if self._postgres:
            connection.dbapi_connection.autocommit = False
        connection.close()

    def close(self) -> None:
        """Hand the kept connections back to the pool (before it is disposed)."""
        while self._idle:
            self._release(self._idle.pop())


class _Cursor:
    """The two calls the readers make, over a DB-API cursor."""

    def __init__(self, cursor: Any, paramstyle: str) -> None:
        self._cursor = cursor
        self.mark = "?" if paramstyle == "qmark" else "%s"

    def close(self) -> None:
        self._cursor.close()

    def exec_driver_sql(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        self._cursor.execute(sql, params)
        rows: list[Any] = self._cursor.fetchall()
        return rows

    def tree_size(self) -> int:
        [(size,)] = self.exec_driver_sql(_HEAD)
        return int(size)


DriverCursor = _Cursor  # what KeptReads.cursor yields, for the readers' callers


class SqlNodeReader:
    """Serves level-0 nodes from ``entries.leaf_hash`` and the rest from ``merkle_nodes``."""

    def __init__(self, connection: Connection | _Cursor) -> None:
        self._connection = connection
        if isinstance(connection, _Cursor):
            self._mark = connection.mark
        else:
            self._mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        found = self.read([(node.level, node.index) for node in ids])
        return {NodeId(level, index): digest for (level, index), digest in found.items()}

    def read(self, keys: Sequence[Key]) -> dict[Key, bytes]:
        """The stored hashes of ``keys`` (absent when not stored), in as few reads as fit."""
        if len(keys) <= _CHUNK:
            return self.read_with_head(keys, head=False)[1]
        found: dict[Key, bytes] = {}
        for start in range(0, len(keys), _CHUNK):
            found.update(self.read_with_head(keys[start : start + _CHUNK], head=False)[1])
        return found

    def read_with_head(
        self, keys: Sequence[Key], *, head: bool = True
    ) -> tuple[int | None, dict[Key, bytes]]:
        """The head's tree size (when ``head``) and the hashes of ``keys``, in one query.

        One statement is one snapshot on both backends, so the size and the nodes agree.
        At most :data:`_CHUNK` keys.
        """
        params: tuple[Any, ...]
        if self._mark == "%s":  # psycopg: PostgreSQL, the other backend
            sql, params = _arrays(keys, head)
        else:
            sql, params = _statement(keys, self._mark, head)
        if not sql:
            return None, {}
        found: dict[Key, bytes] = {}
        size: int | None = None
        for level, idx, digest in self._connection.exec_driver_sql(sql, params):
            if level < 0:
                size = int(idx)
            else:
                found[level, idx] = digest
        if head and size is None:
            raise LedgerError("the ledger is not initialised")
        return size, found


def _arrays(keys: Sequence[Key], head: bool) -> tuple[str, tuple[str, ...]]:
    """PostgreSQL's statement: the keys as three arrays, so one text serves every proof.

    Texts that differ by shape were parsed and planned anew whenever a shape was new to a
    connection (a proof in an earlier tree has a shape of its own); with arrays the one
    text is prepared once per connection and every proof runs the prepared plan. Each
    array goes as its text literal (``{1,2,3}``, cast in the statement): psycopg's list
    adapter walks a list in Python, element by element, a quarter of the CPU a group of
    32 proofs took to read (``ProofService.many``, profiled at a million entries).
    """
    leaves = [idx for level, idx in keys if level == 0]
    inner = [key for key in keys if key[0] > 0]
    params = (
        _literal(leaves),
        _literal([level for level, _ in inner]),
        _literal([idx for _, idx in inner]),
    )
    return (_PG_WITH_HEAD if head else _PG_NODES), params


def _literal(numbers: Sequence[int]) -> str:
    """PostgreSQL's text form of an array of ints (``int`` prints only digits and ``-``)."""
    return "{" + ",".join(map(str, numbers)) + "}"


def _statement(keys: Sequence[Key], mark: str, head: bool) -> tuple[str, tuple[int, ...]]:
    """SQL text and parameters reading ``keys`` (and the head's size) in one round trip.

    The text depends only on the levels of the keys, in order, so it is built once per
    shape and remembered with the order its parameters take: proofs of one tree have few
    shapes, and a repeated text is one the drivers have compiled (SQLite's statement cache,
    PostgreSQL's prepared statements) besides costing nothing to build.
    """
    levels = tuple([key[0] for key in keys])
    if len(levels) > _SHAPE_KEYS:  # a batch (a trace): built for itself
        sql, order = _shape(levels, mark, head)
    else:
        shape = (mark, head, levels)
        known = _SHAPES.get(shape)
        if known is None:
            if len(_SHAPES) >= _MAX_SHAPES:
                _SHAPES.clear()
            known = _SHAPES[shape] = _shape(levels, mark, head)
        sql, order = known
    return sql, tuple([keys[i][1] for i in order])


def _shape(levels: Sequence[int], mark: str, head: bool) -> tuple[str, tuple[int, ...]]:
    """The statement for keys at ``levels``, and which key's index each parameter is."""
    leaves: list[int] = []
    by_level: dict[int, list[int]] = {}
    for position, level in enumerate(levels):
        if level == 0:
            leaves.append(position)
        else:
            by_level.setdefault(level, []).append(position)
    selects: list[str] = []
    order: list[int] = [*leaves]
    if leaves:
        selects.append(_LEAVES.format(marks=", ".join([mark] * len(leaves))))
    if by_level:
        # One condition per level (level = L AND idx IN (...)): SQLite does not use the
        # primary key for a row-value IN, and a proof touches only O(log n) levels. Levels
        # are the planner's own ints, written in the text.
        conditions = []
        for level, positions in by_level.items():
            marks = ", ".join([mark] * len(positions))
            conditions.append(f"(level = {int(level)} AND idx IN ({marks}))")
            order.extend(positions)
        selects.append(_INNER.format(levels=" OR ".join(conditions)))
    if head:
        selects.append(_HEAD_ROW)
    return " UNION ALL ".join(selects), tuple(order)
