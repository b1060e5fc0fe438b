"""Many rows into one table as plain tuples: what SQLAlchemy's Core insert binds, without its
per-row work. Binary ``COPY`` on PostgreSQL for many rows, else a driver-level ``executemany``.

Each value goes through its column type's own bind processor, as Core's ``insert(table),
[dicts]`` would apply it (for a timestamp: UTC, a naive one refused, then the dialect's
storage form; for a boolean, its check and what the dialect stores; for JSON, its text;
bytes are handed over as they are, which both drivers take, not wrapped in ``DBAPI.Binary``):
the same statement, the same stored values (``tests/ledger/test_table_writer.py`` compares
them raw with Core's on both backends), but no parameter dictionaries. Projections that
write a few rows per entry spent more on building and processing those dictionaries than
the database spent inserting them.

On PostgreSQL the rows go in as one ``COPY ... FROM STDIN (FORMAT BINARY)`` in the caller's
transaction when there are :data:`COPY_FROM` or more and every column has a binary form:
the server parses one statement instead of one per row, and the client sends each value in
its binary form. Measured on the append's three tables for batches of 500 scenario events
(about 3,800 rows), pipelined ``executemany`` took 68-73 µs an event and binary ``COPY`` 23
µs (``bench/RESULTS.md``). A column with no binary form here (JSON, whose processed value
is text for a ``json`` column) keeps its writer on ``INSERT``. A row the table refuses (a
duplicate key, a missing foreign key) fails the ``COPY`` as it fails the ``INSERT``, raised
as the same SQLAlchemy error, and the transaction is rolled back whole by its owner.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Dialect, LargeBinary, Table
from sqlalchemy.exc import DBAPIError

# A COPY takes two round trips to the server (the statement, then the data), a pipelined
# executemany one: a single append's few rows go in as INSERTs.
COPY_FROM = 16

# PostgreSQL's binary COPY has no per-field type: each value must be sent in the exact
# binary form of its column, so the forms are read off the models' own column types.
_BINARY_FORMS = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "SMALLINT": "int2",
    "BOOLEAN": "bool",
    "BYTEA": "bytea",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "VARCHAR": "text",  # varchar's binary form is text's; the server still checks the length
    "TEXT": "text",
}


def binary_forms(table: Table, columns: Sequence[str], dialect: Dialect) -> list[str] | None:
    """The psycopg type name of each column's binary COPY form; None if one has none."""
    forms = []
    for name in columns:
        compiled = table.c[name].type.compile(dialect=dialect)
        form = _BINARY_FORMS.get(compiled.split("(")[0])
        if form is None:
            return None
        forms.append(form)
    return forms


Processor = Callable[[Any], Any]


class TableWriter:
    """Rows of ``columns`` of one table, each a tuple in that order.

    ``bound`` names columns whose values the caller hands over already through
    :meth:`processor` (a batch's one recording time, bound once for all its rows).
    """

    _built: ClassVar[dict[tuple[int, str, tuple[str, ...], frozenset[str]], TableWriter]] = {}

    def __init__(
        self, dialect: Dialect, table: Table, columns: Sequence[str], bound: Collection[str] = ()
    ) -> None:
        unknown = set(bound) - set(columns)
        if unknown:
            raise ValueError(f"bound columns not written: {sorted(unknown)}")
        self.dialect = dialect
        self.table = table
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(column) for column in columns)
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * len(columns))
        self.sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
        self._processors: list[tuple[int, Processor]] = []
        for position, column in enumerate(columns):
            process = self.processor(column)
            if process is not None and column not in bound:
                self._processors.append((position, process))
        self.copy_sql: str | None = None
        forms = binary_forms(table, columns, dialect) if dialect.name == "postgresql" else None
        if forms is not None:
            self.copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)"
            self.forms = forms

    @classmethod
    def of(
        cls, dialect: Dialect, table: Table, columns: Sequence[str], bound: Collection[str] = ()
    ) -> TableWriter:
        """One writer per dialect object, table, columns and bound columns."""
        key = (id(dialect), table.name, tuple(columns), frozenset(bound))
        built = cls._built.get(key)
        if built is None or built.dialect is not dialect:
            built = cls._built[key] = cls(dialect, table, columns, bound)
        return built

    def processor(self, column: str) -> Processor | None:
        """``column``'s bind processor on this dialect (None when values pass unchanged)."""
        column_type = self.table.c[column].type
        if isinstance(column_type, LargeBinary):
            return None  # its processor only wraps bytes in DBAPI.Binary; both drivers take bytes
        impl = column_type.dialect_impl(self.dialect)
        return impl.bind_processor(self.dialect)

    def write(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` on ``connection``, in its transaction (nothing when empty)."""
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
        if self.copy_sql is None or len(rows) < COPY_FROM:
            connection.exec_driver_sql(self.sql, list(rows))
            return
        driver = connection.connection.driver_connection
        assert driver is not None
        error = self.dialect.loaded_dbapi.Error
        try:
            with driver.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                copy.set_types(self.forms)
                for row in rows:
                    copy.write_row(row)
        except error as exc:
            raise DBAPIError.instance(self.copy_sql, None, exc, error) from exc
