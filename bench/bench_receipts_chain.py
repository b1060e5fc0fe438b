"""Pledges with the shared receipt registry on (anvil) against the same pledges with it off.

Two SQLite ledgers set up alike (stock, N receipts of 1 t each; the registry's receipts
registered on chain first), then N pledges each: through the :class:`RegistryGate` (dry
run, chain send mined by anvil's automine, commit) and straight through
``ledger.append_batch`` (the baseline, in the same run). Prints pledges a second and the
ratio. anvil mines each transaction at once, so this is the cost the gate adds, not a
public chain's block time (there an act waits for its block).

Run: ``.venv/bin/python -m bench.bench_receipts_chain [--pledges 50]``
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from eth_account import Account
from web3.types import RPCEndpoint

from finance_api.receipts_chain.client import ReceiptRegistryClient
from finance_api.receipts_chain.gate import RegistryGate
from finance_api.receipts_chain.keys import ChainKeys
from finance_api.receipts_chain.service import ReceiptChainService, ReceiptChainSettings
from ledger.anchoring import Chain
from ledger.anchoring.devnode import AnvilNode
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
ROLES = {"wh-1": "warehouse", "seller-1": "seller", "bank-1": "lender"}


class Desk:
    def __init__(self, path: Path, keys: dict[str, SigningKey]) -> None:
        self.keys = keys
        self.n = 0
        self.ledger = Ledger.open(
            f"sqlite:///{path}",
            ledger_key=SigningKey.generate(),
            clock=FixedClock(NOW),
            policy=CheckpointPolicy(every_entries=10**6, every_seconds=1e9),
        )
        for pid, role in ROLES.items():
            self.ledger.register_participant(
                pid, pid, [role], "CN", keys[pid].public_key, NOW - timedelta(days=100)
            )

    def event(self, actor: str, etype: str, payload: dict[str, Any]) -> Event:
        self.n += 1
        flow = "logistics" if etype.startswith("goods.") else "finance"
        return Event.create(
            self.keys[actor],
            flow=flow,
            type=etype,
            actor=actor,
            payload=payload,
            occurred_at=NOW - timedelta(days=30) + timedelta(seconds=self.n),
        )

    def receipts(self, count: int, tag: str) -> list[Event]:
        goods = {"warehouse_id": "wh-1", "lot_id": "lot-1", "sku": "ALU", "quantity": count}
        self.ledger.append(self.event("wh-1", "goods.received", goods | {"owner": "seller-1"}))
        return [
            self.event(
                "wh-1",
                "receipt.issued",
                {
                    "receipt_id": f"r-{i}",
                    "warehouse_id": "wh-1",
                    "holder": "seller-1",
                    "lot_id": "lot-1",
                    "commodity": "aluminium",
                    "quantity": 1,
                    "value": {"amount_minor": 100_000, "currency": "USD"},
                    "document_hash": hashlib.sha256(f"{tag} {i}".encode()).hexdigest(),
                },
            )
            for i in range(count)
        ]

    def pledges(self, count: int) -> list[Event]:
        return [
            self.event(
                "seller-1",
                "receipt.pledged",
                {"receipt_id": f"r-{i}", "holder": "seller-1", "lender": "bank-1"},
            )
            for i in range(count)
        ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pledges", type=int, default=50)
    n = parser.parse_args().pledges
    node = AnvilNode()
    chain = Chain.connect(node.start())
    try:
        owner = chain.dev_accounts()[0]
        accounts = {p: Account.create() for p in ROLES}
        for account in accounts.values():
            chain.w3.manager.request_blocking(
                RPCEndpoint("anvil_setBalance"), [account.address, hex(10**21)]
            )
        registry = ReceiptRegistryClient.deploy(chain, sender=owner)
        chain.wait(registry.admit_warehouse(accounts["wh-1"].address, sender=owner))
        keys = {p: SigningKey.generate() for p in ROLES}
        with tempfile.TemporaryDirectory() as tmp:
            on, off = Desk(Path(tmp, "on.db"), keys), Desk(Path(tmp, "off.db"), keys)
            service = ReceiptChainService(
                on.ledger, chain, registry, settings=ReceiptChainSettings(confirmations=1)
            )
            gate = RegistryGate(service, ChainKeys(accounts))
            for event in on.receipts(n, "on"):
                gate.append(on.ledger, [event], batch=False)
            off.ledger.append_batch(off.receipts(n, "off"))
            pledges_on, pledges_off = on.pledges(n), off.pledges(n)
            start = time.perf_counter()
            for event in pledges_off:
                off.ledger.append_batch([event])
            plain = time.perf_counter() - start
            start = time.perf_counter()
            for event in pledges_on:
                gate.append(on.ledger, [event], batch=False)
            gated = time.perf_counter() - start
            pledged = sum(
                registry.get(hashlib.sha256(f"on {i}".encode()).digest()).pledgee is not None
                for i in range(n)
            )
            on.ledger.close()
            off.ledger.close()
    finally:
        node.stop()
    assert pledged == n, pledged
    print(f"pledges: {n} (SQLite, anvil automine, one at a time)")
    print(f"  registry off (append_batch):   {n / plain:8.1f} /s")
    print(f"  registry on  (gate + chain):   {n / gated:8.1f} /s")
    print(f"  ratio off/on:                  {plain and gated / plain:8.1f}x")


if __name__ == "__main__":
    main()
