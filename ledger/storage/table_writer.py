"""Many rows into one table as plain tuples: binary ``COPY`` on PostgreSQL, else ``executemany``.

On PostgreSQL the rows (from :data:`COPY_FROM` of them) go in as one ``COPY ... FROM STDIN
(FORMAT BINARY)`` in the caller's transaction: the server parses one statement instead of
one per row, and the client sends each value in its binary form. Measured on the append's
three tables for batches of 500 scenario events (about 3,800 rows), pipelined
``executemany`` took 68-73 µs an event and binary ``COPY`` 23 µs (``bench/RESULTS.md``). A
row the table refuses (a duplicate key, a missing foreign key) fails the ``COPY`` as it
fails the ``INSERT``, raised as the same SQLAlchemy error, and the transaction is rolled
back whole by its owner.

Values are passed as the driver takes them (strings, integers, bytes, aware datetimes in
UTC, None): no SQLAlchemy type processing is applied, so a column whose type processes its
values (JSON, say) has no binary form here and is refused when the writer is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Dialect, Table
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


class TableWriter:
    """Rows of ``columns`` of one table, each a tuple in that order."""

    _built: ClassVar[dict[tuple[int, str, tuple[str, ...]], TableWriter]] = {}

    def __init__(self, dialect: Dialect, table: Table, columns: Sequence[str]) -> None:
        self.dialect = dialect
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(column) for column in columns)
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        marks = ", ".join([mark] * len(columns))
        self.sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
        self.copy_sql: str | None = None
        if dialect.name == "postgresql":
            self.copy_sql = f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)"
            self.forms = binary_forms(table, columns, dialect)

    @classmethod
    def of(cls, dialect: Dialect, table: Table, columns: Sequence[str]) -> TableWriter:
        """One writer per dialect object, table and columns: its statement never changes."""
        key = (id(dialect), table.name, tuple(columns))
        built = cls._built.get(key)
        if built is None or built.dialect is not dialect:
            built = cls._built[key] = cls(dialect, table, columns)
        return built

    def write(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` on ``connection``, in its transaction (nothing when empty)."""
        if not rows:
            return
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
