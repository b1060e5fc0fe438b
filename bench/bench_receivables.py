"""Receivable finance under load: what the ``lending.receivables`` projection costs.

1. The information flow it watches: orders placed and accepted, invoices issued and
   confirmed (four events a document), appended in batches of 500, beside the same events
   appended to a ledger kept without this projection (every other one installed): the
   baseline, measured in the same run.
2. Financings one at a time (each a signed ``receivable.financed`` of its own confirmed
   invoice, judged against the document, its claim and every other financing), beside
   single ``listing.published`` appends; then a second financing of each document by
   another lender (each refused ``already_financed``, nothing written).

Run: ``.venv/bin/python -m bench.bench_receivables [--docs 5000] [--single 300]
[--backend sqlite|postgresql|both]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import pgdb
from bench.bench_receipts import NOW, T0, database, key, open_ledger, usd
from ledger.core.clock import FixedClock
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage.db import make_engines, migrate
from ledger.storage.projections import Projectors

SELLER, BUYER, BANK, OTHER = "bench-rv-seller", "bench-rv-buyer", "bench-rv-bank", "bench-rv-other"
DUE = (NOW + timedelta(days=90)).date().isoformat()


class Signer:
    def __init__(self, tag: str) -> None:
        self.tag, self.n = tag, 0

    def __call__(self, actor: str, flow: str, etype: str, payload: dict[str, Any]) -> Event:
        self.n += 1
        event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.tag}/{self.n}"))
        at = T0 + timedelta(seconds=self.n)
        return Event.create(key(actor), flow=flow, type=etype, actor=actor, payload=payload,
                            occurred_at=at, event_id=event_id)  # fmt: skip


def register(ledger: Ledger) -> None:
    for pid, role in ((SELLER, "seller"), (BUYER, "buyer"), (BANK, "lender"), (OTHER, "lender")):
        ledger.register_participant(pid, pid, [role], "CN", key(pid).public_key,
                                    T0 - timedelta(days=9))  # fmt: skip


def documents(sign: Signer, tag: str, count: int) -> list[Event]:
    events = []
    for i in range(count):
        order, invoice = f"{tag}-o-{i}", f"{tag}-i-{i}"
        events.append(sign(BUYER, "information", "order.placed", {"order_id": order,
                      "seller": SELLER, "buyer": BUYER, "total": usd(1_000_000)}))  # fmt: skip
        events.append(sign(SELLER, "information", "order.accepted", {"order_id": order,
                      "seller": SELLER}))  # fmt: skip
        issued = sign(SELLER, "information", "invoice.issued", {"invoice_id": invoice,
                      "order_id": order, "amount": usd(1_000_000), "due_date": DUE,
                      "seller": SELLER, "buyer": BUYER})  # fmt: skip
        events.append(issued)
        events.append(sign(BUYER, "information", "claim.confirmed", {"claim_id": issued.id,
                      "party": BUYER}))  # fmt: skip
    return events


def listings(sign: Signer, tag: str, count: int) -> list[Event]:
    return [sign(SELLER, "information", "listing.published", {"listing_id": f"{tag}-l-{i}",
            "sku": "SKU", "price": usd(1_999), "seller": SELLER})
            for i in range(count)]  # fmt: skip


def financing(sign: Signer, lender: str, fid: str, invoice: str) -> Event:
    return sign(lender, "finance", "receivable.financed", {
        "financing_id": fid, "document_kind": "invoice", "document_id": invoice,
        "seller": SELLER, "debtor": BUYER, "lender": lender, "face": usd(1_000_000),
        "advance_rate_bp": 8000, "advanced": usd(800_000), "reserve": usd(200_000),
        "fee_bp": 150, "fee_period_days": 30, "recourse": True, "due_date": DUE})  # fmt: skip


def without_receivables(url: str) -> Ledger:
    """A ledger kept with every installed projection but this one: the baseline."""
    engines = make_engines(url)
    migrate(engines)
    kept = [p for p in Projectors.installed() if p.name != "lending.receivables"]
    return Ledger(engines, ledger_key=SigningKey(bytes(range(32))), clock=FixedClock(NOW),
                  projectors=kept)  # fmt: skip


def _timed(append: Any, item: Any) -> float:
    began = time.perf_counter()
    append(item)
    return time.perf_counter() - began


def run(backend: str, folder: Path, docs: int, single: int) -> dict[str, float]:
    """Measured and baseline alternate, batch by batch and append by append, so that both
    see the same machine (other work shares its two cores)."""
    with database(backend, folder, "recv_base") as bare_url, database(backend, folder,
                                                                      "recv") as url:  # fmt: skip
        bare, ledger = without_receivables(bare_url), open_ledger(url)
        register(bare)
        register(ledger)
        events = documents(Signer(f"recv/{backend}"), "d", docs)
        chunks = [events[s : s + 500] for s in range(0, len(events), 500)]
        took = {"flow": 0.0, "base": 0.0}
        for chunk in chunks:
            took["base"] += _timed(bare.append_batch, chunk)
            took["flow"] += _timed(ledger.append_batch, chunk)
        sign = Signer(f"recv/{backend}/acts")
        invoices = [f"d-i-{i}" for i in range(single)]
        firsts = [financing(sign, BANK, f"f-{i}", inv) for i, inv in enumerate(invoices)]
        seconds = [financing(sign, OTHER, f"g-{i}", inv) for i, inv in enumerate(invoices)]
        plain = listings(sign, "s", single)
        took |= {"financed": 0.0, "baseline": 0.0}
        for first, listing in zip(firsts, plain, strict=True):
            took["financed"] += _timed(ledger.append, first)
            took["baseline"] += _timed(ledger.append, listing)
        size, refused = ledger.size(), 0
        began = time.perf_counter()
        for event in seconds:
            try:
                ledger.append(event)
            except LedgerError as exc:
                refused += exc.code == "already_financed"
        refusal_ms = (time.perf_counter() - began) * 1000 / single
        assert refused == single
        assert ledger.size() == size
        bare.close()
        ledger.close()
    return {"flow": len(events) / took["flow"], "base": len(events) / took["base"],
            "financed": single / took["financed"], "baseline": single / took["baseline"],
            "refusal_ms": refusal_ms}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pgdb.available():
        backends.remove("postgresql")
        print("PostgreSQL not reachable: skipped")
    print(
        "| backend | document events/s (batch 500) | without the projection | ratio "
        "| financings/s (single) | listings/s (single) | ratio | refusal ms |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            r = run(backend, Path(tmp), args.docs, args.single)
            print(f"| {backend} | {r['flow']:,.0f} | {r['base']:,.0f} | "
                  f"{r['flow'] / r['base']:.0%} | {r['financed']:,.0f} | {r['baseline']:,.0f} | "
                  f"{r['financed'] / r['baseline']:.0%} | {r['refusal_ms']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
