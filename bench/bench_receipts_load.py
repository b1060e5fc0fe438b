"""The pledge race and the revaluation of many loans (parts 2 and 3 of bench_receipts).

Run through ``python -m bench.bench_receipts``, which prints every figure.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from bench.bench_receipts import (
    BANK,
    PRICES,
    SELLER,
    WH,
    Signer,
    database,
    open_ledger,
    register,
    stocked,
    usd,
)
from ledger.core.errors import LedgerError

SPAWN = multiprocessing.get_context("spawn")


# -- 2. the pledge race ---------------------------------------------------------------------
def _racer(url: str, worker: int, threads: int, start: Any, results: Any) -> None:
    ledger = open_ledger(url)
    sign = Signer(f"race/{worker}")
    events = [
        sign(
            SELLER,
            "finance",
            "receipt.pledged",
            {
                "receipt_id": "r-0",
                "holder": SELLER,
                "lender": f"bench-bank-{worker * threads + n:03d}",
            },
        )
        for n in range(threads)
    ]
    outcomes: Counter[str] = Counter()
    lock, slots, gate = threading.Lock(), threading.Semaphore(8), threading.Barrier(threads + 1)
    finished: list[float] = []

    def run(n: int) -> None:
        gate.wait(timeout=120)
        with slots:
            try:
                ledger.append(events[n])
                outcome = "pledged"
            except LedgerError as exc:
                outcome = exc.code
        with lock:
            outcomes[outcome] += 1
            finished.append(time.time())

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    start.wait(timeout=240)
    gun = time.time()
    gate.wait(timeout=120)
    for thread in workers:
        thread.join(timeout=240)
    ledger.close()
    results.put((dict(outcomes), gun, max(finished)))


def race(backend: str, folder: Path, processes: int = 4, threads: int = 25) -> dict[str, Any]:
    with database(backend, folder, "rcpt_race") as url:
        ledger = open_ledger(url)
        register(ledger, lenders=processes * threads)
        stocked(ledger, Signer(f"race-setup/{backend}"), 1)
        ledger.close()
        start, results = SPAWN.Barrier(processes), SPAWN.Queue()
        racers = [
            SPAWN.Process(target=_racer, args=(url, w, threads, start, results))
            for w in range(processes)
        ]
        for p in racers:
            p.start()
        answers = [results.get(timeout=600) for _ in racers]
        for p in racers:
            p.join(timeout=60)
    outcomes: Counter[str] = Counter()
    for got, _, _ in answers:
        outcomes.update(got)
    gun = min(a[1] for a in answers)
    settled = max(a[2] for a in answers)
    return {"outcomes": dict(outcomes), "seconds": settled - gun}


# -- 3. revaluation of many loans -------------------------------------------------------------
def revaluation(backend: str, folder: Path, loans: int) -> dict[str, float]:
    from finance_api.domain.policies import BOOK
    from finance_api.receipts.revaluation import revalue_commodity
    from finance_api.receipts.tables import LoanRow, ReceiptRow, StockRow

    with database(backend, folder, "rcpt_reval") as url:
        ledger = open_ledger(url)
        register(ledger)
        ids = [f"b-{i:06d}" for i in range(loans)]
        with ledger.unit_of_work() as uow:  # rows as the projection holds them (built directly)
            c = uow.connection
            for start in range(0, loans, 5000):
                chunk = ids[start : start + 5000]
                c.execute(
                    insert(StockRow),
                    [
                        dict(
                            warehouse_id=WH,
                            lot_id=i,
                            owner=SELLER,
                            sku="ALU",
                            unit="t",
                            held_milli=100_000,
                            received_milli=100_000,
                            out_milli=0,
                            counted_milli=None,
                            counted_seq=None,
                        )
                        for i in chunk
                    ],
                )
                c.execute(
                    insert(ReceiptRow),
                    [
                        dict(
                            receipt_id=i,
                            warehouse_id=WH,
                            holder=SELLER,
                            lot_id=i,
                            commodity="aluminium",
                            unit="t",
                            grade=None,
                            insurance_ref=None,
                            expires_on=None,
                            document_hash=uuid.uuid5(uuid.NAMESPACE_URL, i).hex * 2,
                            quantity_milli=100_000,
                            live_milli=100_000,
                            value_minor=20_000_000,
                            currency="USD",
                            status="live",
                            replaces=None,
                            issued_seq=0,
                            closed_seq=None,
                            pledged_to=BANK,
                            loan_id=i,
                        )
                        for i in chunk
                    ],
                )
                c.execute(
                    insert(LoanRow),
                    [
                        dict(
                            loan_id=i,
                            borrower=SELLER,
                            lender=BANK,
                            currency="USD",
                            rate_bp=900,
                            due_date=None,
                            principal_minor=13_000_000,
                            owed_fees=0,
                            owed_interest=0,
                            owed_principal=13_000_000,
                            status="open",
                            commodity="aluminium",
                            value_minor=None,
                            ltv_bp=None,
                            ltv_state=None,
                            call_seq=None,
                            call_cure_by=None,
                            unmatched_sale_minor=0,
                            surplus_minor=0,
                            disbursed_seq=0,
                            closed_seq=None,
                        )
                        for i in chunk
                    ],
                )
            uow.commit()
        out: dict[str, float] = {}

        def timed(name: str, work: Callable[[Any], object]) -> None:
            with ledger.unit_of_work() as uow:
                started = time.perf_counter()
                work(uow.connection)
                out[name] = time.perf_counter() - started
                uow.commit()

        pledged = select(ReceiptRow.loan_id).where(ReceiptRow.commodity == "aluminium")
        timed(
            "plain SQL UPDATE of the same rows",
            lambda c: c.execute(
                update(LoanRow)
                .where(LoanRow.loan_id.in_(pledged))
                .values(ltv_bp=LoanRow.owed_principal * 10_000 // 17_460_000, ltv_state="healthy")
            ),
        )
        timed("projector revaluation pass", lambda c: revalue_commodity(c, BOOK, "aluminium"))
        sign = Signer(f"reval/{backend}")
        price = sign(
            PRICES,
            "finance",
            "stock.price_changed",
            {"commodity": "aluminium", "unit": "t", "price": usd(160_000), "change_bp": -2000},
        )
        started = time.perf_counter()
        ledger.append(price)
        out["signed price event (append + revaluation)"] = time.perf_counter() - started
        with ledger.reading() as c:
            states = Counter(r[0] for r in c.execute(select(LoanRow.ltv_state)))
        assert states == {"margin_call": loans}, states
        ledger.close()
    return out
