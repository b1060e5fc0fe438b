"""Two deployments share one receivable registry on anvil: an invoice is financed once, on
both, whichever lender asks.

Each deployment is its own app over its own database (A on SQLite, B on SQLite and on
PostgreSQL) holding the same invoice (same seller, buyer, id, amount and due date), and its
own lender. The document key is the same on both, so the second financing is refused by
the chain as ``409 already_financed`` and nothing is written; a node that is down answers
503 and writes nothing, and the same signed event finishes once it is back.
"""

from __future__ import annotations

import itertools
import threading
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
from finance_api.receipts_chain.keys import ChainKeys
from finance_api.receivables_chain.client import KeyStatus, ReceivableRegistryClient
from finance_api.receivables_chain.gate import ReceivableGate
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
FACE = 2_000_000


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


@dataclass
class Deployment:
    name: str
    client: TestClient
    ledger: Ledger
    gate: ReceivableGate
    lender: str
    keys: dict[str, SigningKey]
    api: dict[str, str]
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def signed(self, actor: str, flow: str, etype: str, payload: dict[str, Any],
               days: int = 0) -> dict[str, Any]:  # fmt: skip
        n = next(self.ids)
        return Event.create(
            self.keys[actor], flow=flow, type=etype, actor=actor, payload=payload,
            occurred_at=AT + timedelta(days=days, minutes=n),
            event_id=f"00000000-0000-4000-9{ord(self.name) % 10}00-{n:012d}",
        ).to_json()  # fmt: skip

    def post(self, path: str, actor: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers={"X-API-Key": self.api[actor]})

    def invoiced(self) -> None:
        steps = [
            ("buyer-1", "order.placed", {"order_id": "o-1", "seller": "seller-1",
                                         "buyer": "buyer-1", "total": usd(FACE)}),
            ("seller-1", "order.accepted", {"order_id": "o-1", "seller": "seller-1"}),
            ("seller-1", "invoice.issued", {"invoice_id": "i-1", "order_id": "o-1",
                                            "amount": usd(FACE), "due_date": "2026-07-20",
                                            "seller": "seller-1", "buyer": "buyer-1"}),
        ]  # fmt: skip
        for actor, etype, payload in steps:
            body = self.signed(actor, "information", etype, payload)
            assert self.post("/v1/events", actor, body).status_code == 201
        answer = self.signed("buyer-1", "information", "claim.confirmed",
                             {"claim_id": body["id"], "party": "buyer-1"})  # fmt: skip
        assert self.post("/v1/events", "buyer-1", answer).status_code == 201

    def financing(self, fid: str) -> dict[str, Any]:
        return self.signed(self.lender, "finance", "receivable.financed", {
            "financing_id": fid, "document_kind": "invoice", "document_id": "i-1",
            "seller": "seller-1", "debtor": "buyer-1", "lender": self.lender,
            "face": usd(FACE), "advance_rate_bp": 8000, "advanced": usd(1_600_000),
            "reserve": usd(400_000), "fee_bp": 90, "fee_period_days": 30,
            "recourse": True, "due_date": "2026-07-20"})  # fmt: skip

    def financed(self, fid: str) -> int:
        got = self.client.get(f"/v1/receivables/{fid}", headers={"X-API-Key": self.api["seller-1"]})
        return int(got.status_code)


@dataclass(frozen=True)
class Shared:
    chain: Chain
    registry: ReceivableRegistryClient
    accounts: dict[str, LocalAccount]


@pytest.fixture
def shared(chain: Chain, accounts: list[ChecksumAddress]) -> Shared:  # noqa: F811
    parties = {p: new_key(chain) for p in ("bank-a", "bank-b")}
    return Shared(chain, ReceivableRegistryClient.deploy(chain, sender=accounts[0]), parties)


def _deployment(url: str, name: str, lender: str, shared: Shared) -> Deployment:
    never = CheckpointPolicy(every_entries=10**6, every_seconds=1e9)
    ledger = Ledger.open(url, ledger_key=SigningKey.generate(), clock=FixedClock(NOW),
                         policy=never)  # fmt: skip
    keys, api = {}, {}
    roles = {"seller-1": "seller", "buyer-1": "buyer", lender: "lender"}
    for pid, role in roles.items():
        keys[pid] = SigningKey.generate()
        ledger.register_participant(pid, pid, [role], "CN", keys[pid].public_key, SINCE)
        api[pid] = create_api_key(ledger, pid, "test", NOW)
    gate = ReceivableGate(
        shared.chain, shared.registry, ChainKeys({lender: shared.accounts[lender]})
    )
    app = create_app(ledger)
    app.state.receivable_registry = gate
    return Deployment(name, TestClient(app), ledger, gate, lender, keys, api)


@pytest.fixture(params=BACKENDS)
def second_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'b.db'}"
        return
    store: PgStore = request.getfixturevalue("postgres_store")
    url = store.new_url()
    yield url
    store.drop(url)


@pytest.fixture
def both(tmp_path: Path, second_db: str, shared: Shared) -> Iterator[tuple[Deployment, Deployment]]:
    a = _deployment(f"sqlite:///{tmp_path / 'a.db'}", "a", "bank-a", shared)
    b = _deployment(second_db, "b", "bank-b", shared)
    with a.client, b.client:
        a.invoiced()
        b.invoiced()
        yield a, b
    a.ledger.close()
    b.ledger.close()


def refused(answer: Any, status: int, error: str, where: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert (body["error"], body["field"]) == (error, where), body


def _key(d: Deployment, fid: str) -> bytes:
    got = d.client.get(f"/v1/receivables/{fid}", headers={"X-API-Key": d.api["seller-1"]})
    return bytes.fromhex(got.json()["document_key"])


def test_an_invoice_financed_through_one_deployment_is_refused_through_the_other(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, b = both
    first = a.financing("fa-1")
    ok = a.post("/v1/lenders/receivables", "bank-a", first)
    assert ok.status_code == 201, ok.text
    record = shared.registry.get(_key(a, "fa-1"))
    assert (record.status, record.lender) == (KeyStatus.FINANCED, shared.accounts["bank-a"].address)
    size = b.ledger.size()
    refused(b.post("/v1/lenders/receivables", "bank-b", b.financing("fb-1")), 409,
            "already_financed", "payload.document_id")  # fmt: skip
    refused(b.post("/v1/events", "bank-b", b.financing("fb-2")), 409, "already_financed",
            "payload.document_id")  # fmt: skip
    assert b.ledger.size() == size
    assert b.financed("fb-1") == 404
    # the same signed event again is an idempotent replay; another act on the id is refused
    assert a.post("/v1/lenders/receivables", "bank-a", first).status_code == 200
    refused(a.post("/v1/lenders/receivables", "bank-a", a.financing("fa-1")), 409,
            "financing_exists", "payload.financing_id")  # fmt: skip
    # settle on A: the key is discharged on chain, and stays taken
    acts = [a.signed("bank-a", "finance", "receivable.collected",
                     {"financing_id": "fa-1", "lender": "bank-a", "amount": usd(FACE)}, days=3),
            a.signed("bank-a", "finance", "receivable.settled",
                     {"financing_id": "fa-1", "lender": "bank-a", "seller": "seller-1",
                      "fee": usd(1_800), "rebate": usd(398_200)}, days=3)]  # fmt: skip
    done = a.post("/v1/lenders/receivables", "bank-a", {"events": acts})
    assert done.status_code == 201, done.text
    assert shared.registry.get(_key(a, "fa-1")).status is KeyStatus.DISCHARGED
    refused(b.post("/v1/lenders/receivables", "bank-b", b.financing("fb-3")), 409,
            "already_financed", "payload.document_id")  # fmt: skip


def test_a_node_that_is_down_writes_nothing_and_the_same_event_finishes_later(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    a, _ = both
    live = a.gate.client
    down = Chain.connect("http://127.0.0.1:1", timeout=0.5)
    a.gate.chain, a.gate.client = down, ReceivableRegistryClient(down, live.address)
    body = a.financing("fa-9")
    size = a.ledger.size()
    refused(a.post("/v1/lenders/receivables", "bank-a", body), 503, "chain_unavailable",
            "payload.document_id")  # fmt: skip
    assert a.ledger.size() == size
    assert a.financed("fa-9") == 404
    a.gate.chain, a.gate.client = shared.chain, live
    assert a.post("/v1/lenders/receivables", "bank-a", body).status_code == 201
    assert shared.registry.get(_key(a, "fa-9")).status is KeyStatus.FINANCED


def test_a_financing_whose_commit_failed_is_adopted_when_resent(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    """The chain took the act, the ledger then refused it: the same event finishes later."""
    a, _ = both
    body = a.financing("fa-5")
    event = Event.from_json(body)
    gate = a.gate
    (op,) = gate._judge(a.ledger, a.ledger.prepare([event]))
    gate._finance(op)  # mined, as if the commit then failed
    assert shared.registry.get(op.key).ref == op.ref
    assert a.post("/v1/lenders/receivables", "bank-a", body).status_code == 201
    assert a.financed("fa-5") == 200


def test_two_deployments_racing_for_one_invoice_leave_exactly_one_financing(
    both: tuple[Deployment, Deployment], shared: Shared
) -> None:
    """Both ledgers accept their own trial; the chain takes one ``finance``, the other is
    refused (by the estimate, or reverted when mined) and its ledger writes nothing."""
    a, b = both
    bodies = {"a": a.financing("fa-r"), "b": b.financing("fb-r")}
    start = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def post(d: Deployment) -> None:
        start.wait(timeout=30)
        answers[d.name] = d.post("/v1/lenders/receivables", d.lender, bodies[d.name])

    racers = [threading.Thread(target=post, args=(d,)) for d in (a, b)]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join(timeout=60)
    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [201, 409], {k: v.text for k, v in answers.items()}
    loser = next(d for d in (a, b) if answers[d.name].status_code == 409)
    winner = a if loser is b else b
    assert answers[loser.name].json()["error"] == "already_financed"
    assert loser.financed(f"f{loser.name}-r") == 404
    assert winner.financed(f"f{winner.name}-r") == 200
    record = shared.registry.get(_key(winner, f"f{winner.name}-r"))
    assert record.lender == shared.accounts[winner.lender].address
