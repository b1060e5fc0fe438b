"""What one connection sees while others write, and opening a ledger while others do.

A verifier or exporter must read one consistent state of a ledger that is being written
to; opening a ledger must not wait for a writer's lock; the server's time zone must not
matter. (Several processes opening a new database at once: ``test_concurrency.py``.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from ledger.audit import database as audit
from ledger.audit.database import verify_database
from ledger.audit.export import export_bundle
from ledger.log import Ledger
from ledger.verification.bundle import verify_bundle
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import (
    BUYER,
    NEVER,
    T0,
    Base,
    accepted_batch,
    key_for,
    open_ledger,
)
from tests.ledger.stores import PgStore


@pytest.fixture
def writer(base_copy: Base) -> Iterator[Ledger]:
    with open_ledger(base_copy.url, policy=NEVER) as ledger:
        yield ledger


def test_verify_database_reads_one_state_while_entries_arrive(
    base_copy: Base, writer: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "PAGE", 50)
    appended = []

    def append_between_pages(done: int, total: int) -> None:
        appended.extend(writer.append_batch(accepted_batch(BUYER, f"live-{done}", 20)))

    report = verify_database(base_copy.url, progress=append_between_pages)

    assert appended  # the ledger did grow under the verifier's feet
    assert report.tree_size == base_copy.size
    assert verify_database(base_copy.url).tree_size == base_copy.size + len(appended)


def test_export_writes_one_state_while_the_registry_changes(
    base_copy: Base, writer: Ledger, tmp_path: Path
) -> None:
    """A participant registered mid-export is wholly in the bundle or wholly out of it."""
    fired = threading.Event()

    def register_once(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM participants" in statement and not fired.is_set():
            fired.set()
            writer.register_participant(
                "newcomer-01", "Newcomer", ["buyer"], None, key_for("newcomer-01").public_key, T0
            )

    event.listen(Engine, "before_cursor_execute", register_once)
    try:
        count = export_bundle(base_copy.url, tmp_path / "live.jsonl")
    finally:
        event.remove(Engine, "before_cursor_execute", register_once)

    assert fired.is_set()
    assert count == base_copy.size
    report = verify_bundle(tmp_path / "live.jsonl", pinned_key=writer.public_key)
    assert report.tree_size == base_copy.size
    assert "newcomer-01" not in (tmp_path / "live.jsonl").read_text()


def test_opening_does_not_wait_for_a_writer(base_copy: Base) -> None:
    """A ledger opens (schema already current) while another connection holds the lock."""
    with Raw(base_copy.url) as raw, raw.engine.connect() as holder:
        from ledger.storage.head import lock_head

        if raw.engine.dialect.name == "sqlite":
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        lock_head(holder)
        done = threading.Event()
        errors: list[BaseException] = []

        def open_and_read() -> None:
            try:
                with Ledger.open(base_copy.url, read_only=True) as reader:
                    assert reader.size() == base_copy.size
            except BaseException as exc:  # reported to the test thread below
                errors.append(exc)
            finally:
                done.set()

        thread = threading.Thread(target=open_and_read, daemon=True)
        thread.start()
        opened_in_time = done.wait(timeout=10)
        holder.rollback()
        thread.join(timeout=70)
    assert opened_in_time, "Ledger.open waited for the writer's lock"
    assert not errors


@pytest.mark.postgres
def test_a_server_west_of_utc_changes_nothing(postgres_store: PgStore, tmp_path: Path) -> None:
    """Session time zone America/New_York: the operator key's valid_from (year 1) still reads."""
    url = postgres_store.new_url()
    try:
        database = url.rsplit("/", 1)[1]
        with Raw(postgres_store.admin_url) as admin, admin.engine.connect() as conn:
            conn.exec_driver_sql(
                f"ALTER DATABASE \"{database}\" SET timezone TO 'America/New_York'"
            )
            conn.commit()
        with open_ledger(url) as ledger:
            ledger.register_participant(
                BUYER, "Buyer", ["buyer", "seller"], "DE", key_for(BUYER).public_key, T0
            )
            ledger.append_batch(accepted_batch(BUYER, "west", 3))
            ledger.checkpoint()
        assert verify_database(url).tree_size == 7
        export_bundle(url, tmp_path / "west.jsonl")
        assert verify_bundle(tmp_path / "west.jsonl").tree_size == 7
    finally:
        postgres_store.drop(url)
