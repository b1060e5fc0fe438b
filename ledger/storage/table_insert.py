"""A table's INSERT as a driver-level ``executemany`` of plain tuples, built once per dialect.

What SQLAlchemy's Core ``insert(table), [dicts]`` binds, without its per-row work: the
same statement text, and each column's own bind processor (for a timestamp, UTC then the
dialect's storage form; for a boolean, what the dialect stores) applied to its value.
Projections that write a few rows per entry spend more on building and processing those
dictionaries than the database spends inserting them (see
:class:`~ledger.storage.rows.RowInserts`, the same for the log's own tables).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Dialect

from ledger.storage.models import Base


class TableInsert:
    """``INSERT INTO table (columns) VALUES (...)`` for one dialect, with its processors."""

    _built: ClassVar[dict[tuple[str, tuple[str, ...], int], TableInsert]] = {}

    def __init__(self, model: type[Base], columns: Sequence[str], dialect: Dialect) -> None:
        self.dialect = dialect
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(column) for column in columns)
        marks = ", ".join([mark] * len(columns))
        self.statement = f"INSERT INTO {quote(model.__tablename__)} ({names}) VALUES ({marks})"
        table = model.__table__
        found = [
            (position, table.c[column].type.dialect_impl(dialect).bind_processor(dialect))
            for position, column in enumerate(columns)
        ]
        self._processors: list[tuple[int, Callable[[Any], Any]]] = [
            (position, process) for position, process in found if process is not None
        ]

    @classmethod
    def of(cls, model: type[Base], columns: Sequence[str], dialect: Dialect) -> TableInsert:
        """The insert for ``model``'s ``columns`` on ``dialect`` (kept while the dialect is)."""
        key = (model.__tablename__, tuple(columns), id(dialect))
        built = cls._built.get(key)
        if built is None or built.dialect is not dialect:
            built = cls._built[key] = cls(model, columns, dialect)
        return built

    def execute(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (values in the order of the columns); nothing for no rows."""
        if not rows:
            return
        if self._processors:
            processed = []
            for row in rows:
                values = list(row)
                for position, process in self._processors:
                    values[position] = process(values[position])
                processed.append(tuple(values))
            rows = processed
        connection.exec_driver_sql(self.statement, rows)
