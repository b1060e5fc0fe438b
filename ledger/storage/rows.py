"""The three append-only inserts of an append, as plain tuples (see :mod:`table_writer`).

The column values are what SQLAlchemy's Core insert would bind (the writers apply each
column's processor); the two timestamps are bound here, through the entries writer's own
processor, because a batch's one recording time is bound once for all its rows. On
PostgreSQL each table's rows go in as one binary ``COPY``, elsewhere as driver-level
``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import Connection, Dialect, Table

from ledger.core.events import Event
from ledger.storage.models import Entry, EntryRef, MerkleNode
from ledger.storage.table_writer import TableWriter


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
    STAMPED = ("occurred_at", "recorded_at")  # bound by :attr:`stamp` before the writer
    _built: ClassVar[dict[int, RowInserts]] = {}

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        entries = TableWriter.of(
            dialect, cast(Table, Entry.__table__), self.ENTRY_COLUMNS, bound=self.STAMPED
        )
        self.writers = (
            entries,
            TableWriter.of(dialect, cast(Table, EntryRef.__table__), ("ref", "seq", "role")),
            TableWriter.of(dialect, cast(Table, MerkleNode.__table__), ("level", "idx", "hash")),
        )
        process = entries.processor("occurred_at")
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
        batches: tuple[Sequence[tuple[Any, ...]], ...] = (entries, refs, nodes)
        for writer, rows in zip(self.writers, batches, strict=True):
            writer.write(connection, rows)
