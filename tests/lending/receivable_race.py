"""A process of the financing race: its own ledger handle, threads that each append a
financing of the same invoice by a different lender at the same moment."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from ledger.core.errors import LedgerError
from tests.finance.desk import SELLER
from tests.ledger.scenario import open_ledger
from tests.lending.receivable_events import financing

BUYER = "buyer-alu-01"
IN_FLIGHT = 8


def finance_at_once(url: str, invoice_id: str, worker: int, threads: int, start: Any,
                    results: Any) -> None:  # fmt: skip
    with open_ledger(url) as ledger:
        events = [
            financing(f"race-{worker}-{n}", "invoice", invoice_id, 100_000,
                      lender=f"bank-x{worker * threads + n:03d}", seller=SELLER, debtor=BUYER)
            for n in range(threads)
        ]  # fmt: skip
        ledger.prepare(events[:1])  # warm the signature machinery before the gun
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()
        gate = threading.Barrier(threads)
        slots = threading.Semaphore(IN_FLIGHT)

        def run(n: int) -> None:
            gate.wait(timeout=120)
            with slots:
                try:
                    ledger.append(events[n])
                    outcome = "financed"
                except LedgerError as exc:
                    outcome = exc.code
            with lock:
                outcomes[outcome] += 1

        workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
        start.wait(timeout=240)
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=240)
        results.put(dict(outcomes))
