"""Verifying or exporting a live ledger reads one state of it, whatever is appended meanwhile.

The verifier reads the head first and then the entries page by page, and the exporter
reads the registry before the entries: both must see one snapshot (SQLite's deferred
transaction; on PostgreSQL the read engine's REPEATABLE READ), or an append between two
pages shows up as an entry the head does not count.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from finance_api import demo_scenario
from ledger.audit import database as audit
from ledger.audit.export import export_bundle
from ledger.core.clock import FixedClock
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.verification.bundle import verify_bundle

PG_ADMIN_URL = os.environ.get(
    "THREEFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
KEY = SigningKey(bytes(range(32)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}"
        return
    name = f"tfl_audit_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def ledger(url: str) -> Iterator[Ledger]:
    with Ledger.open(
        url, ledger_key=KEY, clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    ) as opened:
        demo_scenario.register(opened)
        yield opened


def test_verify_reads_one_snapshot_while_appends_continue(
    ledger: Ledger, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = demo_scenario.events(orders=4)
    ledger.append_batch(list(itertools.islice(events, 20)))
    size = ledger.size()
    monkeypatch.setattr(audit, "PAGE", 5)
    late: list[object] = []

    def append_meanwhile(_done: int, _total: int) -> None:
        if not late:
            late.append(ledger.append(next(events)))

    report = audit.verify_database(url, progress=append_meanwhile)

    assert late, "the progress callback never ran"
    assert report.tree_size == size
    assert ledger.size() == size + 1
    assert audit.verify_database(url).tree_size == size + 1


def test_an_exported_bundle_is_one_state_of_the_ledger(
    ledger: Ledger, url: str, tmp_path: Path
) -> None:
    events = demo_scenario.events(orders=2)
    ledger.append_batch(list(itertools.islice(events, 10)))
    ledger.checkpoint()
    out = tmp_path / "bundle.jsonl"

    assert export_bundle(url, out) == ledger.size()
    assert verify_bundle(out, pinned_key=KEY.public_key).tree_size == ledger.size()
