"""Several writer processes at once, and a writer killed in the middle of a batch.

The sequencer is the database (``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on
PostgreSQL), so separate processes, not threads, are what must not fork the ledger.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

from finance_api import demo_scenario
from ledger.audit.database import verify_database
from ledger.log import Ledger
from ledger.storage.query import EntryQuery
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import PARTICIPANT_IDS, accepted_batch, event_id, open_ledger
from tests.ledger.workers import SHARED, append_and_hang, append_batches, batch_tag

WRITERS, BATCHES, BATCH = 3, 4, 10
SPAWN = multiprocessing.get_context("spawn")


def test_concurrent_writers_make_one_contiguous_ledger(ledger_url: str) -> None:
    """Writers open a new database at once, then append batches at once."""
    start, opened, go = SPAWN.Barrier(WRITERS), SPAWN.Barrier(WRITERS + 1), SPAWN.Event()
    args = (BATCHES, BATCH, start, opened, go)
    writers = [
        SPAWN.Process(target=append_batches, args=(ledger_url, w, *args)) for w in range(WRITERS)
    ]
    for process in writers:
        process.start()
    try:
        opened.wait(timeout=240)  # every writer has opened (and so migrated) the ledger
        with open_ledger(ledger_url) as ledger:
            demo_scenario.register(ledger)
            start_size = ledger.size()
    finally:
        go.set()
        for process in writers:
            process.join(timeout=120)
    assert [process.exitcode for process in writers] == [0] * WRITERS

    report = verify_database(ledger_url)
    total = (WRITERS * BATCHES + 1) * BATCH  # the shared batch went in once
    assert report.tree_size == start_size + total
    assert report.participants == 7  # the operator (initialised once) and the demo six
    with Raw(ledger_url) as raw:
        rows = raw.entries()
    assert [row.seq for row in rows] == list(range(start_size + total))
    assert [row.type for row in rows[:2]] == ["participant.registered", "participant.key_added"]
    seq_of = {row.event_id: row.seq for row in rows}
    assert len(seq_of) == len(rows)  # no event twice
    tags = [SHARED, *[batch_tag(w, b) for w in range(WRITERS) for b in range(BATCHES)]]
    for tag in tags:
        seqs = [seq_of[event_id(f"{tag}-{n}")] for n in range(BATCH)]
        # a batch is one transaction: its entries are consecutive, in order
        assert seqs == list(range(seqs[0], seqs[0] + BATCH)), tag
    assert report.checkpoints >= 2  # the writers cut checkpoints as they went


def test_a_writer_killed_mid_batch_leaves_nothing_behind(registered_url: str) -> None:
    with Raw(registered_url) as raw:
        before = raw.head()
    inside = SPAWN.Event()
    child = SPAWN.Process(target=append_and_hang, args=(registered_url, "killed", 30, inside))
    child.start()
    try:
        assert inside.wait(timeout=240), "the writer never reached its commit point"
        # meanwhile readers open the ledger and see it as it was before the batch
        with Ledger.open(registered_url, read_only=True) as reader:
            assert reader.size() == before.tree_size
            assert reader.entry(before.tree_size - 1).chain_hash == before.chain_hash
            assert reader.inclusion_proof(0).tree_size == before.tree_size
    finally:
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(timeout=30)
    assert child.exitcode == -signal.SIGKILL

    with Raw(registered_url) as raw:
        assert raw.head() == before
        assert {row.event_id for row in raw.entries()}.isdisjoint(
            event_id(f"killed-{n}") for n in range(30)
        )
    report = verify_database(registered_url)
    assert report.tree_size == before.tree_size

    # the lock is free again and the same batch goes in whole, where it would have gone
    with open_ledger(registered_url) as ledger:
        entries = ledger.append_batch(accepted_batch(PARTICIPANT_IDS[0], "killed", 30))
        assert [entry.seq for entry in entries] == list(
            range(before.tree_size, before.tree_size + 30)
        )
        page = ledger.query(EntryQuery(start_seq=before.tree_size, limit=100))
        assert [entry.event.id for entry in page.entries] == [e.event.id for e in entries]
    assert verify_database(registered_url).tree_size == before.tree_size + 30
