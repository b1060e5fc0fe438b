"""The appender's driver-level inserts store exactly what SQLAlchemy's Core insert stores.

A ledger is appended to through the appender; its entries, entry_refs and merkle_nodes are
read back and inserted into a second, empty database with ``insert(table)`` (the way rows
were written before); the two databases' raw stored values must be identical.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
from sqlalchemy import Table, insert, select

from finance_api import demo_scenario
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage import models
from ledger.storage.db import make_engines, migrate

PG_ADMIN_URL = os.environ.get(
    "THREEFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TABLES = tuple(
    cast(Table, model.__table__) for model in (models.Entry, models.EntryRef, models.MerkleNode)
)
ORDER = {"entries": "seq", "entry_refs": "seq, role, ref", "merkle_nodes": "level, idx"}


class Databases:
    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self._directory = directory
        self._names: list[str] = []

    def new(self) -> str:
        name = f"tfl_rows_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        if self.backend == "sqlite":
            return f"sqlite:///{self._directory / (name + '.db')}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self._names.append(name)
        return f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"

    def raw(self, url: str, table: str) -> list[Any]:
        query = f"SELECT * FROM {table} ORDER BY {ORDER[table]}"
        if self.backend == "sqlite":
            with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
                typed = f"SELECT *, {self._typeofs(connection, table)} FROM {table}"
                rows = connection.execute(f"{typed} ORDER BY {ORDER[table]}").fetchall()
            connection.close()
            return rows
        with psycopg.connect(url) as pg:
            pg.execute("SET TIME ZONE 'UTC'")
            return pg.execute(query.replace("*", f"{table}::text", 1)).fetchall()

    @staticmethod
    def _typeofs(connection: sqlite3.Connection, table: str) -> str:
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        return ", ".join(f"typeof({column})" for column in columns)

    def close(self) -> None:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            for name in self._names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    made = Databases(request.param, tmp_path)
    yield made
    made.close()


def test_appended_rows_are_stored_as_a_core_insert_stores_them(databases: Databases) -> None:
    url = databases.new()
    clock = FixedClock(datetime(2026, 1, 1, 12, 30, 15, 123456, tzinfo=UTC))
    with Ledger.open(url, ledger_key=SigningKey(bytes(range(32))), clock=clock) as ledger:
        demo_scenario.register(ledger)
        events = list(itertools.islice(demo_scenario.events(orders=30), 200))
        ledger.append_batch(events[:150])
        for event in events[150:160]:
            ledger.append(event)
        rows = {}
        with ledger.engines.read.connect() as connection:
            for table in TABLES:
                rows[table.name] = [r._asdict() for r in connection.execute(select(table))]
    expected = databases.new()
    engines = make_engines(expected)
    try:
        migrate(engines)
        with engines.write.begin() as connection:
            for table in TABLES:
                connection.execute(insert(table), rows[table.name])
    finally:
        engines.dispose()

    for table in TABLES:
        stored = databases.raw(url, table.name)
        assert stored == databases.raw(expected, table.name), table.name
        assert len(stored) == len(rows[table.name]) > 0
