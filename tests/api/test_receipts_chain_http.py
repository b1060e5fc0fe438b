"""Two deployments share one receipt registry on anvil: a receipt is pledged once, on both.

Each deployment is its own app over its own database (A on SQLite, B on SQLite and on
PostgreSQL); the warehouse and the holder are the
same real parties on both (same chain keys), each deployment has its own lender. The
chain's answer and each database must agree after every act, and a refusal (by the chain
or by the ledger) writes nothing on either side. In CI anvil must run (never skipped).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from finance_api.receipts_chain.client import ReceiptRegistryClient, ReceiptStatus
from finance_api.receipts_chain.gate import RegistryGate
from finance_api.receipts_chain.keys import ChainKeys
from finance_api.receipts_chain.service import ReceiptChainService, ReceiptChainSettings
from finance_api.receipts_chain.store import OpStatus
from ledger.anchoring import Chain
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger
from tests.api.conftest import NOW, SINCE
from tests.chain.conftest import accounts, anvil_url, chain  # noqa: F401  (fixtures)
from tests.ledger.conftest import BACKENDS, postgres_store  # noqa: F401  (fixtures)
from tests.ledger.stores import PgStore
from tests.receipts_chain.conftest import new_key

AT = NOW - timedelta(days=20)
VALUE = {"amount_minor": 20_000_000, "currency": "USD"}
DOC = hashlib.sha256(b"warehouse receipt WR-2026-0001").hexdigest()
SETTINGS = ReceiptChainSettings(confirmations=1)


@dataclass
class Deployment:
    name: str
    client: TestClient
    ledger: Ledger
    gate: RegistryGate
    lender: str
    keys: dict[str, SigningKey]
    api: dict[str, str]
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def post(self, path: str, actor: str, etype: str, payload: dict[str, Any]) -> Any:
        body = self.signed(actor, etype, payload)
        return self.client.post(path, json=body, headers={"X-API-Key": self.api[actor]})

    def signed(self, actor: str, etype: str, payload: dict[str, Any]) -> dict[str, Any]:
        n = next(self.ids)
        flow = "logistics" if etype.startswith("goods.") else "finance"
        return Event.create(
            self.keys[actor],
            flow=flow,
            type=etype,
            actor=actor,
            payload=payload,
            occurred_at=AT + timedelta(minutes=n),
            event_id=f"00000000-0000-4000-9{ord(self.name) % 10}00-{n:012d}",
        ).to_json()

    def pledged_to(self) -> str | None:
        got = self.client.get("/v1/receipts/r-1", headers={"X-API-Key": self.api["seller-1"]})
        assert got.status_code == 200, got.text
        value: str | None = got.json()["pledged_to"]
        return value

    def stock_and_issue(self, holder: str = "seller-1") -> Any:
        goods = {"warehouse_id": "wh-1", "lot_id": "lot-1", "sku": "ALU", "quantity": 100}
        goods |= {"unit": "t", "owner": holder}
        ok = self.post("/v1/warehouses/stock", "wh-1", "goods.received", goods)
        assert ok.status_code == 201, ok.text
        receipt = {"receipt_id": "r-1", "warehouse_id": "wh-1", "holder": holder}
        receipt |= {"lot_id": "lot-1", "commodity": "aluminium", "quantity": 100}
        receipt |= {"value": VALUE, "unit": "t", "document_hash": DOC}
        return self.post("/v1/warehouses/receipts", "wh-1", "receipt.issued", receipt)

    def pledge(self, lender: str | None = None) -> Any:
        payload = {"receipt_id": "r-1", "holder": "seller-1", "lender": lender or self.lender}
        return self.post("/v1/borrowers/pledges", "seller-1", "receipt.pledged", payload)

    def release(self) -> Any:
        payload = {"receipt_id": "r-1", "lender": self.lender}
        return self.post("/v1/lenders/postings", self.lender, "receipt.released", payload)


@dataclass(frozen=True)
class Shared:
    chain: Chain
    registry: ReceiptRegistryClient
    accounts: dict[str, LocalAccount]

    def pledgee(self) -> str | None:
        return self.registry.get(bytes.fromhex(DOC)).pledgee

    def who(self, address: ChecksumAddress | str | None) -> str | None:
        return next((p for p, a in self.accounts.items() if a.address == address), None)


@pytest.fixture
def shared(chain: Chain, accounts: list[ChecksumAddress]) -> Shared:  # noqa: F811
    parties = {p: new_key(chain) for p in ("wh-1", "seller-1", "bank-a", "bank-b", "bank-a2")}
    registry = ReceiptRegistryClient.deploy(chain, sender=accounts[0])
    chain.wait(registry.admit_warehouse(parties["wh-1"].address, sender=accounts[0]))
    return Shared(chain, registry, parties)


def _deployment(url: str, name: str, lenders: list[str], shared: Shared) -> Deployment:
    ledger = Ledger.open(
        url,
        ledger_key=SigningKey.generate(),
        clock=FixedClock(NOW),
        policy=CheckpointPolicy(every_entries=10**6, every_seconds=1e9),
    )
    keys, api = {}, {}
    roles = {"wh-1": "warehouse", "seller-1": "seller"} | {lender: "lender" for lender in lenders}
    for pid, role in roles.items():
        keys[pid] = SigningKey.generate()
        ledger.register_participant(pid, pid, [role], "CN", keys[pid].public_key, SINCE)
        api[pid] = create_api_key(ledger, pid, "test", NOW)
    service = ReceiptChainService(
        ledger, shared.chain, shared.registry, clock=FixedClock(NOW), settings=SETTINGS
    )
    gate = RegistryGate(service, ChainKeys({p: shared.accounts[p] for p in roles}))
    app = create_app(ledger)
    app.state.receipt_registry = gate
    return Deployment(name, TestClient(app), ledger, gate, lenders[0], keys, api)


@pytest.fixture(params=BACKENDS)
def second_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Deployment B's database: SQLite, or PostgreSQL (must run in CI)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'b.db'}"
        return
    store: PgStore = request.getfixturevalue("postgres_store")
    url = store.new_url()
    yield url
    store.drop(url)


@pytest.fixture
def both(tmp_path: Path, second_db: str, shared: Shared) -> Iterator[tuple[Deployment, Deployment]]:
    a = _deployment(f"sqlite:///{tmp_path / 'a.db'}", "a", ["bank-a", "bank-a2"], shared)
    b = _deployment(second_db, "b", ["bank-b"], shared)
    with a.client, b.client:
        yield a, b
    a.ledger.close()
    b.ledger.close()


def refused(answer: Any, status: int, error: str, where: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert (body["error"], body["field"]) == (error, where), body


def agree(shared: Shared, *deployments: Deployment) -> None:
    """The chain's pledgee is the one database that shows a pledge, or nobody."""
    shown = [d.pledged_to() for d in deployments]
    assert sum(s is not None for s in shown) <= 1, shown
    assert shared.who(shared.pledgee()) == next((s for s in shown if s), None)


def test_the_second_pledge_of_one_document_is_refused_on_both_deployments(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, b = both
    assert a.stock_and_issue().status_code == 201
    assert b.stock_and_issue().status_code == 201  # the same registration, adopted
    record = shared.registry.get(bytes.fromhex(DOC))
    assert (record.status, record.holder) == (
        ReceiptStatus.REGISTERED,
        shared.accounts["seller-1"].address,
    )
    assert a.pledge().status_code == 201
    agree(shared, a, b)

    size = b.ledger.size()
    refused(b.pledge(), 409, "already_pledged", "payload.receipt_id")  # the chain refuses
    assert b.ledger.size() == size
    assert b.pledged_to() is None
    agree(shared, a, b)

    ops = len(a.gate.service.ops())
    refused(a.pledge("bank-a2"), 409, "already_pledged", "payload.receipt_id")  # the ledger
    assert len(a.gate.service.ops()) == ops  # nothing was sent on chain
    agree(shared, a, b)

    assert a.release().status_code == 201
    agree(shared, a, b)
    assert b.pledge().status_code == 201
    agree(shared, a, b)
    assert shared.who(shared.pledgee()) == "bank-b"

    size = a.ledger.size()
    refused(a.pledge(), 409, "already_pledged", "payload.receipt_id")  # A's database says free
    assert a.ledger.size() == size
    assert a.pledged_to() is None
    agree(shared, a, b)


def test_another_registration_of_the_document_refuses_the_issue(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, b = both
    assert a.stock_and_issue().status_code == 201
    size = b.ledger.size()
    b.gate.keys = ChainKeys({"wh-1": shared.accounts["wh-1"], "seller-1": new_key(shared.chain)})
    refused(b.stock_and_issue(), 409, "already_registered", "payload.document_hash")
    assert b.ledger.size() == size + 1  # the goods were received; no receipt was issued
    gone = b.client.get("/v1/receipts/r-1", headers={"X-API-Key": b.api["seller-1"]})
    assert gone.status_code == 404, gone.text


def test_a_node_that_is_down_refuses_cleanly_and_the_same_event_finishes_later(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, _ = both
    assert a.stock_and_issue().status_code == 201
    working = a.gate.service
    down = Chain.connect("http://127.0.0.1:1", timeout=0.5)
    a.gate.service = ReceiptChainService(
        a.ledger, down, shared.registry, clock=FixedClock(NOW), settings=SETTINGS
    )
    size = a.ledger.size()
    n = next(a.ids)
    a.ids = itertools.count(n)  # the retry below signs the very same event again
    answer = a.pledge()
    refused(answer, 503, "chain_unavailable", "payload.receipt_id")
    assert a.ledger.size() == size
    assert a.pledged_to() is None
    assert shared.pledgee() is None
    [op] = [o for o in a.gate.service.ops() if o.kind == "pledge"]
    assert op.status is OpStatus.ORPHANED  # abandoned: no flush will send it later
    assert working.flush() == ()

    dead = ReceiptRegistryClient(down, shared.registry.address)  # not even a read answers
    a.gate.service = ReceiptChainService(a.ledger, down, dead, clock=FixedClock(NOW))
    a.ids = itertools.count(n)
    refused(a.pledge(), 503, "chain_unavailable", "payload.receipt_id")
    assert a.ledger.size() == size

    a.gate.service = working
    a.ids = itertools.count(n)
    assert a.pledge().status_code == 201
    agree(shared, a)
    assert shared.who(shared.pledgee()) == "bank-a"
    assert [o.attempt for o in working.attempts(op.op_id)] == [1, 2]  # re-sent, once


def test_the_generic_events_route_meets_the_registry_too(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, b = both
    assert a.stock_and_issue().status_code == 201
    assert b.stock_and_issue().status_code == 201
    assert a.pledge().status_code == 201
    payload = {"receipt_id": "r-1", "holder": "seller-1", "lender": "bank-b"}
    size = b.ledger.size()
    refused(
        b.post("/v1/events", "seller-1", "receipt.pledged", payload),
        409,
        "already_pledged",
        "payload.receipt_id",
    )
    assert b.ledger.size() == size
    agree(shared, a, b)


def test_a_full_repayment_releases_the_pledge_on_chain(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, b = both
    assert a.stock_and_issue().status_code == 201
    assert b.stock_and_issue().status_code == 201
    assert a.pledge().status_code == 201
    principal = {"amount_minor": 1_000_000, "currency": "USD"}
    loan = {"loan_id": "loan-1", "borrower": "seller-1", "lender": "bank-a"}
    loan |= {"receipt_id": "r-1", "principal": principal, "rate_bp": 900}
    disbursed = a.post("/v1/lenders/disbursements", "bank-a", "loan.disbursed", loan)
    assert disbursed.status_code == 201, disbursed.text
    repay = {"loan_id": "loan-1", "lender": "bank-a", "amount": principal}
    repaid = a.post("/v1/lenders/postings", "bank-a", "loan.repaid", repay)
    assert repaid.status_code == 201, repaid.text
    [release] = [o for o in a.gate.service.ops() if o.kind == "release"]
    assert release.tx_hash is not None
    shared.chain.wait(release.tx_hash)
    agree(shared, a, b)
    assert shared.pledgee() is None
    assert b.pledge().status_code == 201  # free on chain, so the other deployment may
    agree(shared, a, b)


def test_a_ledger_refusal_after_the_chain_accepted_undoes_the_pledge_on_chain(
    both: tuple[Deployment, Deployment], shared: Shared, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _ = both
    assert a.stock_and_issue().status_code == 201
    gate, run = a.gate, a.gate._run
    cancel = Event.create(
        a.keys["wh-1"],
        flow="finance",
        type="receipt.cancelled",
        actor="wh-1",
        payload={"receipt_id": "r-1", "warehouse_id": "wh-1", "reason": "goods_withdrawn"},
        occurred_at=AT,
    )

    def then_cancelled(op: Any) -> bool:  # the projection moves between dry run and commit
        changed = run(op)
        a.ledger.append(cancel)
        return changed

    monkeypatch.setattr(gate, "_run", then_cancelled)
    size = a.ledger.size()
    refused(a.pledge(), 409, "receipt_not_live", "payload.receipt_id")
    assert a.ledger.size() == size + 1  # only the cancellation
    assert shared.pledgee() is None  # the pledge the chain took was released again
    assert [o.kind for o in gate.service.ops()][-2:] == ["pledge", "release"]


def test_a_split_cannot_cancel_a_receipt_another_deployment_holds_pledged(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, b = both
    assert a.stock_and_issue().status_code == 201
    assert b.stock_and_issue().status_code == 201
    assert b.pledge().status_code == 201
    new = {"receipt_id": "r-2", "warehouse_id": "wh-1", "holder": "seller-1", "lot_id": "lot-1"}
    new |= {"commodity": "aluminium", "quantity": 60, "value": VALUE, "unit": "t"}
    new |= {"document_hash": "ab" * 32, "replaces": "r-1"}
    old = {"receipt_id": "r-1", "warehouse_id": "wh-1", "reason": "split", "replaced_by": "r-2"}
    body = {
        "events": [
            a.signed("wh-1", "receipt.issued", new),
            a.signed("wh-1", "receipt.cancelled", old),
        ]
    }
    headers = {"X-API-Key": a.api["wh-1"]}
    size = a.ledger.size()
    split = a.client.post("/v1/warehouses/receipts/split", json=body, headers=headers)
    refused(split, 409, "still_pledged", "events[1].payload.receipt_id")
    assert a.ledger.size() == size
    assert shared.registry.get(bytes.fromhex(DOC)).status is ReceiptStatus.PLEDGED

    b.lender = "bank-b"
    assert b.release().status_code == 201
    again = a.client.post("/v1/warehouses/receipts/split", json=body, headers=headers)
    assert again.status_code == 201, again.text  # r-2's registration is adopted, r-1 cancelled
    assert shared.registry.get(bytes.fromhex(DOC)).status is ReceiptStatus.CANCELLED
    assert shared.registry.get(bytes.fromhex("ab" * 32)).status is ReceiptStatus.REGISTERED
    assert a.pledge().status_code == 409  # r-1 is gone on both sides
