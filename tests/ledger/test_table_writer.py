"""A writer stores exactly what SQLAlchemy's Core insert stores, on both backends and both paths.

The EPCIS index is written through :class:`~ledger.storage.table_writer.TableWriter` with
each column's bind processor applied: the same rows written both ways are read back raw (no
result processing: the stored form of timestamps and booleans) and must be equal column for
column, for a few rows (``INSERT``) and for many (binary ``COPY`` on PostgreSQL). A value
the column's type refuses (a naive timestamp, a boolean that is not one) is refused on
either path, and a column with no binary form (JSON) is never copied raw.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from ledger.log import Ledger
from ledger.storage.models import Participant
from ledger.storage.table_writer import COPY_FROM, TableWriter
from ledger.traceability.tables import EpcisEventRow

COLUMNS = (
    "seq", "hash_id", "error_declaration", "declaration_key", "hash_algorithm", "event_id",
    "event_type", "event_time", "biz_step", "disposition", "read_point", "biz_location",
    "declared_event_id", "captured_by",
)  # fmt: skip
EVENTS = cast(Table, EpcisEventRow.__table__)


def rows(first_seq: int, count: int = 2) -> list[tuple[Any, ...]]:
    """Index rows, two kinds in turn; the hash IDs differ by ``first_seq`` (unique per table)."""
    plus_two = timezone(timedelta(hours=2))
    out: list[tuple[Any, ...]] = []
    for n in range(count):
        seq = first_seq + n
        if n % 2 == 0:
            out.append(
                (seq, f"ni:///sha-256;{first_seq}a{n}", False, "", "sha256", None, "ObjectEvent",
                 datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC) + timedelta(seconds=n),
                 "https://ref.gs1.org/cbv/BizStep-x", None, "https://id.gs1.org/414/1", None,
                 None, "seller")
            )  # fmt: skip
        else:
            out.append(
                (seq, f"ni:///sha-256;{first_seq}b{n}", True, "k" * 32, "sha256", "urn:uuid:1",
                 "AggregationEvent", datetime(2025, 6, 1, 0, 0, n, tzinfo=plus_two), None,
                 "https://ref.gs1.org/cbv/Disp-y", None, "https://id.gs1.org/414/2",
                 "urn:uuid:1", "buyer")
            )  # fmt: skip
    return out


@pytest.mark.parametrize("count", [2, 2 * COPY_FROM])  # INSERTs, then COPY on PostgreSQL
def test_writer_rows_are_stored_as_core_inserts_store_them(ledger: Ledger, count: int) -> None:
    with ledger.engines.write.connect() as connection:
        writer = TableWriter.of(connection.dialect, EVENTS, COLUMNS)
        assert (writer.copy_sql is not None) == (connection.dialect.name == "postgresql")
        writer.write(connection, rows(1000, count))
        connection.execute(
            insert(EpcisEventRow),
            [dict(zip(COLUMNS, row, strict=True)) for row in rows(2000, count)],
        )
        names = ", ".join(COLUMNS)
        stored = connection.exec_driver_sql(
            f"SELECT {names} FROM epcis_events WHERE seq >= 1000 ORDER BY seq"
        ).all()
        connection.rollback()
    written, core = stored[:count], stored[count:]
    assert len(core) == count
    # every column but the seq and the hash ID (which differ by construction)
    assert [tuple(row)[2:] for row in written] == [tuple(row)[2:] for row in core]


@pytest.mark.parametrize("count", [2, 2 * COPY_FROM])
@pytest.mark.parametrize(
    ("position", "bad"),
    [(7, datetime(2025, 1, 2, 3, 4, 5)), (2, "yes")],  # a naive time, a boolean that is not
)
def test_a_value_its_column_type_refuses_is_refused_on_both_paths(
    ledger: Ledger, count: int, position: int, bad: Any
) -> None:
    batch = rows(1000, count)
    spoilt = list(batch[-1])
    spoilt[position] = bad
    batch[-1] = tuple(spoilt)
    with ledger.engines.write.connect() as connection:
        writer = TableWriter.of(connection.dialect, EVENTS, COLUMNS)
        with pytest.raises((ValueError, TypeError, StatementError)):
            writer.write(connection, batch)
        connection.rollback()
        left = connection.execute(select(EpcisEventRow).where(EpcisEventRow.seq >= 1000))
        assert left.all() == []


def test_a_column_without_a_binary_form_is_never_copied_raw(ledger: Ledger) -> None:
    """JSON is processed by its SQLAlchemy type (its text): that writer stays on INSERT."""
    table = cast(Table, Participant.__table__)
    columns = ("id", "legal_name", "roles", "registered_seq")
    assert TableWriter(postgresql.dialect(), table, columns).copy_sql is None  # type: ignore[no-untyped-call]
    assert TableWriter(sqlite.dialect(), table, columns).copy_sql is None
    with ledger.engines.write.connect() as connection:
        writer = TableWriter.of(connection.dialect, table, columns)
        many = [(f"p{n}", "P", ["seller", "buyer"], n) for n in range(2 * COPY_FROM)]
        writer.write(connection, many)
        connection.execute(
            insert(Participant),
            [{"id": f"q{n}", "legal_name": "P", "roles": ["seller", "buyer"], "registered_seq": n}
             for n in range(2 * COPY_FROM)],
        )  # fmt: skip
        stored = connection.exec_driver_sql(
            "SELECT id, roles FROM participants WHERE legal_name = 'P' ORDER BY registered_seq, id"
        ).all()
        connection.rollback()
    assert [row[1] for row in stored if row[0].startswith("p")] == [
        row[1] for row in stored if row[0].startswith("q")
    ]
    assert len(stored) == 4 * COPY_FROM


def test_bound_columns_must_be_written() -> None:
    with pytest.raises(ValueError, match="event_time"):
        TableWriter(sqlite.dialect(), EVENTS, ("seq", "hash_id"), bound=("event_time",))


def test_no_rows_is_no_statement(ledger: Ledger) -> None:
    with ledger.engines.write.connect() as connection:
        TableWriter.of(connection.dialect, EVENTS, COLUMNS).write(connection, [])
        connection.rollback()
