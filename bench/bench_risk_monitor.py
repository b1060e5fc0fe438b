"""What the risk monitor costs a price event: N receipt loans revalued, with and without
every one of them crossing into margin call (N LTV band moves, N alerts to the lender).

The loans, receipts and stock are written straight into the projection's tables (the
world is not the measure), then three signed price events are appended: the first marks
every loan (within the advance rate: no move); the second (the baseline) revalues them all
and moves none; the third takes every loan past the margin-call point, so
``finance.receipts`` records N band moves and ``lending.risk`` turns them into N alerts.
The time ``lending.risk`` spends in that append is measured on its own.

Run: ``.venv/bin/python -m bench.bench_risk_monitor [--loans 20000]
[--backend sqlite|postgresql|both]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from bench import pgdb
from bench.bench_receipts import BANK, PRICES, SELLER, WH, Signer, database, open_ledger, register
from bench.bench_receipts import usd as money
from finance_api.lending import risk_projector
from finance_api.lending.alert_tables import RiskAlertRow
from finance_api.receipts.tables import LoanRow, LtvMoveRow, ReceiptRow, StockRow
from ledger.core.entry import LedgerEntry


def _world(connection: Connection, loans: int) -> None:
    for start in range(0, loans, 5000):
        ids = [f"m-{i:06d}" for i in range(start, min(loans, start + 5000))]
        connection.execute(insert(StockRow), [
            {"warehouse_id": WH, "lot_id": i, "owner": SELLER, "sku": "ALU", "unit": "t",
             "held_milli": 100_000, "received_milli": 100_000, "out_milli": 0,
             "counted_milli": None, "counted_seq": None} for i in ids])  # fmt: skip
        connection.execute(insert(ReceiptRow), [
            {"receipt_id": i, "warehouse_id": WH, "holder": SELLER, "lot_id": i,
             "commodity": "aluminium", "unit": "t", "grade": None, "insurance_ref": None,
             "expires_on": None, "document_hash": uuid.uuid5(uuid.NAMESPACE_URL, i).hex * 2,
             "quantity_milli": 100_000, "live_milli": 100_000, "value_minor": 20_000_000,
             "currency": "USD", "status": "live", "replaces": None, "issued_seq": 0,
             "closed_seq": None, "pledged_to": BANK, "loan_id": i} for i in ids])  # fmt: skip
        connection.execute(insert(LoanRow), [
            {"loan_id": i, "borrower": SELLER, "lender": BANK, "currency": "USD",
             "rate_bp": 900, "due_date": None, "principal_minor": 13_000_000, "owed_fees": 0,
             "owed_interest": 0, "owed_principal": 13_000_000, "status": "open",
             "commodity": "aluminium", "value_minor": None, "ltv_bp": None, "ltv_state": None,
             "call_seq": None, "call_cure_by": None, "unmatched_sale_minor": 0,
             "surplus_minor": 0, "disbursed_seq": 0, "closed_seq": None}
            for i in ids])  # fmt: skip


def run(backend: str, folder: Path, loans: int) -> dict[str, float]:
    spent: list[float] = []
    original = risk_projector.PROJECTOR.apply

    def timed(connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        started = time.perf_counter()
        original(connection, entries)
        spent.append(time.perf_counter() - started)

    with database(backend, folder, "risk_mon") as url:
        ledger = open_ledger(url)
        register(ledger)
        with ledger.unit_of_work() as uow:
            _world(uow.connection, loans)
            uow.commit()
        sign = Signer(f"risk/{backend}")

        def price(minor: int) -> float:
            event = sign(PRICES, "finance", "stock.price_changed",
                         {"commodity": "aluminium", "unit": "t", "price": money(minor),
                          "change_bp": 0})  # fmt: skip
            started = time.perf_counter()
            ledger.append(event)
            return time.perf_counter() - started

        price(200_000)  # every loan marked within the advance rate
        out: dict[str, Any] = {"no band moves (baseline)": price(199_000)}
        risk_projector.PROJECTOR.apply = timed  # type: ignore[method-assign]
        try:
            out[f"{loans:,} into margin call, {loans:,} alerts"] = price(160_000)
        finally:
            risk_projector.PROJECTOR.apply = original  # type: ignore[method-assign]
        out["  of which lending.risk"] = sum(spent)
        with ledger.reading() as c:
            alerts = c.execute(select(func.count()).select_from(RiskAlertRow)).scalar_one()
            moves = c.execute(select(func.count()).select_from(LtvMoveRow)).scalar_one()
        assert (alerts, moves) == (loans, loans), (alerts, moves)
        ledger.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loans", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pgdb.available():
        print("PostgreSQL unreachable: skipping it")
        backends.remove("postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            figures = run(backend, Path(tmp), args.loans)
            base = figures["no band moves (baseline)"]
            print(f"{backend}: a signed price event over {args.loans:,} receipt loans")
            for name, seconds in figures.items():
                print(f"  {name:40s} {seconds:7.2f} s   {seconds / base:5.2f} x baseline")


if __name__ == "__main__":
    main()
