"""The three append-only inserts as driver-level ``executemany`` of plain tuples.

The column values are what SQLAlchemy's Core insert would bind: strings, integers and
bytes pass through unchanged on both drivers, and the two timestamps go through the
column type's own bind processor (UTC, then the dialect's storage form); only the
per-row parameter dictionaries and their processing are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, Dialect

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
            built = cls._built[id(dialect)] = cls(dialect)
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
