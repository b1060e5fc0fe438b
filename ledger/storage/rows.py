"""The three append-only inserts: ``executemany`` of plain tuples, or ``COPY`` on PostgreSQL.

The column values are what SQLAlchemy's Core insert would bind: strings, integers and
bytes pass through unchanged on both drivers, and the two timestamps go through the
column type's own bind processor (UTC, then the dialect's storage form); only the
per-row parameter dictionaries and their processing are skipped.

On PostgreSQL the rows go in as binary ``COPY ... FROM STDIN``, one per table and batch,
in the append's own transaction: the server parses one statement per table instead of one
per row (a 500-event batch writes about 3,800 rows), and the client sends each value in its
binary form. Measured on a batch of 500 scenario events, the three tables took 68-73 µs an
event as pipelined ``executemany`` and 23 µs through binary ``COPY`` (``bench/RESULTS.md``).
A row the table refuses (a duplicate key) fails the ``COPY`` as it would the ``INSERT``,
raised as the same SQLAlchemy error, and the transaction rolls back whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.exc import DBAPIError

from ledger.core.events import Event
from ledger.storage.models import Entry, EntryRef, MerkleNode


class RowInserts:
    ENTRY_COLUMNS = (
        "seq",
        "event_id",
        "flow",
        "type",
        "actor",
        "key_id",
        "occurred_at",
        "recorded_at",
        "canonical",
        "signature",
        "leaf_hash",
        "chain_hash",
        "format",
    )
    _built: ClassVar[dict[int, RowInserts]] = {}

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote

        def statement(table: str, columns: Sequence[str]) -> str:
            names = ", ".join(quote(column) for column in columns)
            return (
                f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join([mark] * len(columns))})"
            )

        self.entries = statement(Entry.__tablename__, self.ENTRY_COLUMNS)
        self.refs = statement(EntryRef.__tablename__, ("ref", "seq", "role"))
        self.nodes = statement(MerkleNode.__tablename__, ("level", "idx", "hash"))
        process = Entry.__table__.c.occurred_at.type.dialect_impl(dialect).bind_processor(dialect)
        self.stamp: Callable[[datetime], Any] = process or (lambda moment: moment)

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> RowInserts:
        """One builder per dialect object: the statements are the same for its lifetime."""
        built = cls._built.get(id(dialect))
        if built is None or built.dialect is not dialect:
            kind = CopyRows if dialect.name == "postgresql" else RowInserts
            built = cls._built[id(dialect)] = kind(dialect)
        return built

    def entry_row(
        self, seq: int, event: Event, recorded_at: Any, leaf: bytes, chain: bytes, fmt: int
    ) -> tuple[Any, ...]:
        return (
            seq,
            event.id,
            event.flow,
            event.type,
            event.actor,
            event.key_id,
            self.stamp(event.occurred_at),
            recorded_at,
            event.canonical,
            event.signature,
            leaf,
            chain,
            fmt,
        )

    def insert(
        self,
        connection: Connection,
        entries: list[tuple[Any, ...]],
        refs: list[tuple[str, int, str]],
        nodes: list[tuple[int, int, bytes]],
    ) -> None:
        connection.exec_driver_sql(self.entries, entries)
        connection.exec_driver_sql(self.refs, refs)
        if nodes:
            connection.exec_driver_sql(self.nodes, nodes)


# PostgreSQL's binary COPY has no per-field type: each value must be sent in the exact
# binary form of its column, so the forms are read off the models' own column types.
_BINARY_FORMS = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "SMALLINT": "int2",
    "BYTEA": "bytea",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "VARCHAR": "text",  # varchar's binary form is text's; the server still checks the length
    "TEXT": "text",
}


def binary_forms(table: Table, columns: Sequence[str], dialect: Dialect) -> list[str]:
    """The psycopg type name of each column's binary COPY form."""
    forms = []
    for name in columns:
        compiled = table.c[name].type.compile(dialect=dialect)
        form = _BINARY_FORMS.get(compiled.split("(")[0])
        if form is None:
            raise TypeError(f"no binary COPY form for {table.name}.{name} ({compiled})")
        forms.append(form)
    return forms


class CopyRows(RowInserts):
    """The same rows through binary ``COPY ... FROM STDIN``, one per table (PostgreSQL)."""

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect)
        quote = dialect.identifier_preparer.quote

        def copy(table: Table, columns: Sequence[str]) -> tuple[str, list[str]]:
            names = ", ".join(quote(column) for column in columns)
            sql = f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)"
            return sql, binary_forms(table, columns, dialect)

        self.copies: tuple[tuple[str, list[str]], ...] = (
            copy(cast(Table, Entry.__table__), self.ENTRY_COLUMNS),
            copy(cast(Table, EntryRef.__table__), ("ref", "seq", "role")),
            copy(cast(Table, MerkleNode.__table__), ("level", "idx", "hash")),
        )

    def insert(
        self,
        connection: Connection,
        entries: list[tuple[Any, ...]],
        refs: list[tuple[str, int, str]],
        nodes: list[tuple[int, int, bytes]],
    ) -> None:
        driver = connection.connection.driver_connection
        assert driver is not None
        batches: tuple[Sequence[tuple[Any, ...]], ...] = (entries, refs, nodes)
        with driver.cursor() as cursor:
            for (sql, forms), rows in zip(self.copies, batches, strict=True):
                if not rows:
                    continue
                try:
                    with cursor.copy(sql) as copy:
                        copy.set_types(forms)
                        for row in rows:
                            copy.write_row(row)
                except self.dialect.loaded_dbapi.Error as exc:
                    raise DBAPIError.instance(
                        sql, None, exc, self.dialect.loaded_dbapi.Error
                    ) from exc
