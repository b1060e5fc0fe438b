"""A process of the financing race: its own ledger handle, threads that each append a
financing of the same invoice by a different lender at the same moment."""

from __future__ import annotations

from typing import Any

from tests.finance.desk import SELLER
from tests.finance.race_workers import race
from tests.ledger.scenario import open_ledger
from tests.lending.receivable_events import financing

BUYER = "buyer-alu-01"


def finance_at_once(url: str, invoice_id: str, worker: int, threads: int, start: Any,
                    results: Any) -> None:  # fmt: skip
    with open_ledger(url) as ledger:
        events = [
            financing(f"race-{worker}-{n}", "invoice", invoice_id, 100_000,
                      lender=f"bank-x{worker * threads + n:03d}", seller=SELLER, debtor=BUYER)
            for n in range(threads)
        ]  # fmt: skip
        results.put(race(ledger, events, "financed", start))
