"""Warehouse-receipt financing under load: API operations, the pledge race, revaluation.

1. Pledge, disburse and repay through the HTTP API (in-process ASGI client, one request at
   a time, each a signed event judged by the ``finance.receipts`` projection), beside plain
   ``POST /v1/events`` of a payment in the same run (the baseline: same path, no receipt
   rules).
2. The 100-way pledge race: four processes, 25 threads each, one receipt; exactly one
   pledge may win; the time from the gun until all 100 answers are in.
3. Revaluation of 100,000 loans on one price event (the projector's pass: read loans,
   receipts and stock, apply the valuation rule, write every loan's value, LTV and state),
   against a plain SQL ``UPDATE`` of the same rows, and the whole signed price event.

Run: ``.venv/bin/python -m bench.bench_receipts [--ops 300] [--loans 100000]
[--backend sqlite|postgresql|both]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import pgdb
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

T0 = datetime(2025, 6, 2, 9, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
WH, SELLER, BANK, PRICES = "bench-wh", "bench-seller", "bench-bank", "bench-prices"


def key(pid: str) -> SigningKey:
    return SigningKey(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-receipts/{pid}").bytes * 2)


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


class Signer:
    def __init__(self, tag: str) -> None:
        self.tag, self.n = tag, 0

    def __call__(self, actor: str, flow: str, etype: str, payload: dict[str, Any]) -> Event:
        self.n += 1
        return Event.create(
            key(actor),
            flow=flow,
            type=etype,
            actor=actor,
            payload=payload,
            occurred_at=T0 + timedelta(seconds=self.n),
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.tag}/{self.n}")),
        )


@contextmanager
def database(backend: str, folder: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / name}.db"
        return
    with pgdb.scratch_database(name) as url:
        yield url


def open_ledger(url: str) -> Ledger:
    return Ledger.open(url, ledger_key=SigningKey(bytes(range(32))), clock=FixedClock(NOW))


def register(ledger: Ledger, lenders: int = 1) -> None:
    roles = {WH: "warehouse", SELLER: "seller", BANK: "lender", PRICES: "price_publisher"}
    roles.update({f"bench-bank-{i:03d}": "lender" for i in range(lenders)})
    for pid, role in roles.items():
        ledger.register_participant(
            pid, pid, [role], "CN", key(pid).public_key, T0 - timedelta(days=9)
        )


def stocked(ledger: Ledger, sign: Signer, count: int) -> None:
    """``count`` lots of 100 t with a receipt each (library appends, in batches)."""
    events = []
    for i in range(count):
        events.append(
            sign(
                WH,
                "logistics",
                "goods.received",
                {
                    "warehouse_id": WH,
                    "lot_id": f"lot-{i}",
                    "sku": "ALU",
                    "quantity": 100,
                    "unit": "t",
                    "owner": SELLER,
                },
            )
        )
        events.append(
            sign(
                WH,
                "finance",
                "receipt.issued",
                {
                    "receipt_id": f"r-{i}",
                    "warehouse_id": WH,
                    "holder": SELLER,
                    "lot_id": f"lot-{i}",
                    "commodity": "aluminium",
                    "quantity": 100,
                    "value": usd(20_000_000),
                    "unit": "t",
                    "document_hash": uuid.uuid5(uuid.NAMESPACE_URL, f"doc/{i}").hex * 2,
                },
            )
        )
    for start in range(0, len(events), 500):
        ledger.append_batch(events[start : start + 500])


# -- 1. operations through the API --------------------------------------------------------
def api_ops(backend: str, folder: Path, ops: int) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from finance_api.app import create_app
    from finance_api.auth import create_api_key
    from finance_api.ratelimit import RateLimiter

    with database(backend, folder, "rcpt_api") as url:
        ledger = open_ledger(url)
        register(ledger)
        sign = Signer(f"api/{backend}")
        stocked(ledger, sign, ops)
        keys = {pid: create_api_key(ledger, pid, "bench", NOW) for pid in (SELLER, BANK)}
        phases: dict[str, tuple[str, str, list[Event]]] = {
            "payment via /v1/events (baseline)": (
                "/v1/events",
                SELLER,
                [
                    sign(
                        SELLER,
                        "finance",
                        "payment.made",
                        {
                            "payment_id": f"p-{i}",
                            "amount": usd(100),
                            "payer": SELLER,
                            "payee": BANK,
                        },
                    )
                    for i in range(ops)
                ],
            ),
            "pledge": (
                "/v1/borrowers/pledges",
                SELLER,
                [
                    sign(
                        SELLER,
                        "finance",
                        "receipt.pledged",
                        {
                            "receipt_id": f"r-{i}",
                            "holder": SELLER,
                            "lender": BANK,
                            "loan_id": f"l-{i}",
                        },
                    )
                    for i in range(ops)
                ],
            ),
            "disburse": (
                "/v1/lenders/disbursements",
                BANK,
                [
                    sign(
                        BANK,
                        "finance",
                        "loan.disbursed",
                        {
                            "loan_id": f"l-{i}",
                            "borrower": SELLER,
                            "lender": BANK,
                            "principal": usd(13_000_000),
                            "receipt_id": f"r-{i}",
                        },
                    )
                    for i in range(ops)
                ],
            ),
            "repay (in full: releases the receipt)": (
                "/v1/lenders/postings",
                BANK,
                [
                    sign(
                        BANK,
                        "finance",
                        "loan.repaid",
                        {"loan_id": f"l-{i}", "lender": BANK, "amount": usd(13_000_000)},
                    )
                    for i in range(ops)
                ],
            ),
        }
        out = {}
        with TestClient(create_app(ledger, limiter=RateLimiter(1e9, 10**9))) as client:
            for name, (path, who, events) in phases.items():
                started = time.perf_counter()
                for event in events:
                    answer = client.post(
                        path, json=event.to_json(), headers={"X-API-Key": keys[who]}
                    )
                    assert answer.status_code == 201, answer.text
                out[name] = ops / (time.perf_counter() - started)
        ledger.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    from bench.bench_receipts_load import race, revaluation

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pgdb.available():
        print("PostgreSQL unreachable: skipping it")
        backends.remove("postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for backend in backends:
            figures = api_ops(backend, folder, args.ops)
            base = figures["payment via /v1/events (baseline)"]
            print(f"\n{backend}: operations through the API ({args.ops} each, one at a time)")
            for name, rate in figures.items():
                print(f"  {name:40s} {rate:8.0f} ops/s   {rate / base:5.2f} x baseline")
            won = race(backend, folder)
            seconds = won["seconds"]
            print(f"{backend}: 100-way pledge race: {won['outcomes']}, settled in {seconds:.2f} s")
            timing = revaluation(backend, folder, args.loans)
            plain = timing["plain SQL UPDATE of the same rows"]
            print(f"{backend}: revaluation of {args.loans:,} loans on one price event")
            for name, seconds in timing.items():
                print(f"  {name:44s} {seconds:7.2f} s   {seconds / plain:5.1f} x plain SQL")


if __name__ == "__main__":
    main()
