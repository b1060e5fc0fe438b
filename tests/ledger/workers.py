"""Code that runs in child processes (multiprocessing, spawn) for the concurrency tests.

Children open the ledger themselves, as separate writers would, and sign their own events;
only plain values (urls, numbers, strings) cross the process boundary.
"""

from __future__ import annotations

import time
from typing import Any

from ledger.log import CheckpointPolicy
from tests.ledger.scenario import BUYER, PARTICIPANT_IDS, SELLER, accepted_batch, open_ledger

SELLERS = (SELLER, BUYER)

SHARED = "shared"


def batch_tag(worker: int, batch: int) -> str:
    return f"w{worker}-b{batch}"


def append_batches(
    url: str, worker: int, batches: int, size: int, start: Any, opened: Any, go: Any
) -> None:
    """One writer: open a new ledger with the others, then append when told to.

    All writers open the same new database at the same moment (``start``), racing to
    migrate and initialise it; once all have (``opened``, which the parent joins) and the
    parent has registered the participants (``go``), each submits the same shared batch
    (exactly one may write it, the others get the existing entries back) and then batches
    of its own, cutting checkpoints every 25 entries so that checkpointing races too.
    """
    actor = SELLERS[worker % len(SELLERS)]  # firms whose roles let them accept orders
    shared = accepted_batch(PARTICIPANT_IDS[0], SHARED, size)
    events = [accepted_batch(actor, batch_tag(worker, b), size) for b in range(batches)]
    start.wait(timeout=240)
    with open_ledger(url, policy=CheckpointPolicy(every_entries=25, every_seconds=1e12)) as ledger:
        opened.wait(timeout=240)
        assert go.wait(timeout=240)
        first = ledger.append_batch(shared)
        for batch in events:
            ledger.append_batch(batch)
        again = ledger.append_batch(shared)
        assert [entry.seq for entry in again] == [entry.seq for entry in first]


def append_and_hang(url: str, tag: str, size: int, inside: Any) -> None:
    """Write a batch, and at the commit point tell the parent and wait to be killed."""
    with open_ledger(url) as ledger:
        events = accepted_batch(PARTICIPANT_IDS[0], tag, size)

        def hang() -> None:
            inside.set()
            time.sleep(120)

        with ledger.unit_of_work() as uow:
            uow.append(events)
            uow.before_commit = hang
            uow.commit()
