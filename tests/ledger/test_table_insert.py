"""A driver-level insert stores exactly what SQLAlchemy's Core insert stores, on both backends.

The EPCIS index is written through :class:`~ledger.storage.table_insert.TableInsert`; the
same rows written both ways are read back raw (no result processing: the stored form of
timestamps and booleans) and must be equal column for column.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert

from ledger.log import Ledger
from ledger.storage.table_insert import TableInsert
from ledger.traceability.tables import EpcisEventRow

COLUMNS = (
    "seq", "hash_id", "error_declaration", "declaration_key", "hash_algorithm", "event_id",
    "event_type", "event_time", "biz_step", "disposition", "read_point", "biz_location",
    "declared_event_id", "captured_by",
)  # fmt: skip


def rows(first_seq: int) -> list[tuple[Any, ...]]:
    """Two index rows; the hash IDs differ by ``first_seq`` (they are unique per table)."""
    plus_two = timezone(timedelta(hours=2))
    return [
        (first_seq, f"ni:///sha-256;{first_seq}a", False, "", "sha256", None, "ObjectEvent",
         datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "https://ref.gs1.org/cbv/BizStep-x",
         None, "https://id.gs1.org/414/1", None, None, "seller"),
        (first_seq + 1, f"ni:///sha-256;{first_seq}b", True, "k" * 32, "sha256", "urn:uuid:1",
         "AggregationEvent", datetime(2025, 6, 1, 0, 0, tzinfo=plus_two), None,
         "https://ref.gs1.org/cbv/Disp-y", None, "https://id.gs1.org/414/2", "urn:uuid:1",
         "buyer"),
    ]  # fmt: skip


def test_driver_rows_are_stored_as_core_inserts_store_them(ledger: Ledger) -> None:
    with ledger.engines.write.connect() as connection:
        TableInsert.of(EpcisEventRow, COLUMNS, connection.dialect).execute(connection, rows(1000))
        connection.execute(
            insert(EpcisEventRow),
            [dict(zip(COLUMNS, row, strict=True)) for row in rows(2000)],
        )
        names = ", ".join(COLUMNS)
        stored = connection.exec_driver_sql(
            f"SELECT {names} FROM epcis_events WHERE seq >= 1000 ORDER BY seq"
        ).all()
        connection.rollback()
    driver, core = stored[:2], stored[2:]
    assert len(core) == 2
    # every column but the seq and the hash ID (which differ by construction)
    assert [tuple(row)[2:] for row in driver] == [tuple(row)[2:] for row in core]


def test_no_rows_is_no_statement(ledger: Ledger) -> None:
    with ledger.engines.write.connect() as connection:
        TableInsert.of(EpcisEventRow, COLUMNS, connection.dialect).execute(connection, [])
        connection.rollback()
