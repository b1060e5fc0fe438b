"""A process of the pledge race: its own ledger handle (its own connections), threads that
each append one pledge of the same receipt to a different lender at the same moment.

At most ``IN_FLIGHT`` appends of a process hold a database connection at once: the test
server allows 100 clients, shared with other suites running beside this one.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.log import Ledger
from tests.finance.desk import SELLER, Desk
from tests.ledger.scenario import open_ledger

RECEIPT = "r-race"
IN_FLIGHT = 8


def pledge_at_once(url: str, worker: int, threads: int, start: Any, results: Any) -> None:
    with open_ledger(url) as ledger:
        desk = Desk(ledger, url)
        desk.ids = iter(range(10_000 + worker * 1000, 10_000 + worker * 1000 + threads))  # type: ignore[assignment]
        events = [
            desk.event(
                SELLER,
                "finance",
                "receipt.pledged",
                {
                    "receipt_id": RECEIPT,
                    "holder": SELLER,
                    "lender": f"bank-x{worker * threads + n:03d}",
                },
            )
            for n in range(threads)
        ]
        results.put(race(ledger, events, "pledged", start))


def race(ledger: Ledger, events: list[Event], won: str, start: Any) -> dict[str, int]:
    """Append each event from its own thread at the same moment (after ``start``, the
    processes' barrier); count the outcomes: ``won`` for an append, else the refusal code."""
    ledger.prepare(events[:1])  # warm the signature machinery before the gun
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    gate = threading.Barrier(len(events))
    slots = threading.Semaphore(IN_FLIGHT)

    def run(n: int) -> None:
        gate.wait(timeout=120)
        with slots:
            try:
                ledger.append(events[n])
                outcome = won
            except LedgerError as exc:
                outcome = exc.code
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=run, args=(n,)) for n in range(len(events))]
    start.wait(timeout=240)
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=240)
    return dict(outcomes)
