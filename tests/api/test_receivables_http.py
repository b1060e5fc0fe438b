"""Factoring over HTTP: a lender finances a confirmed invoice, a second lender is refused
``409 already_financed`` naming the field with nothing written, the parties and auditors
read the financing with its postings, anyone else gets 404."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger
from tests.api.conftest import NOW, SINCE

ROLES = {"seller-1": "seller", "buyer-1": "buyer", "bank-1": "lender", "bank-2": "lender",
         "audit-1": "auditor", "seller-2": "seller"}  # fmt: skip
AT = NOW - timedelta(days=20)
FACE = 1_000_000


def usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


@dataclass
class Desk:
    client: TestClient
    ledger: Ledger
    keys: dict[str, SigningKey]
    api: dict[str, str]
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def signed(self, actor: str, flow: str, etype: str, payload: dict[str, Any],
               days: int = 0) -> dict[str, Any]:  # fmt: skip
        n = next(self.ids)
        return Event.create(
            self.keys[actor], flow=flow, type=etype, actor=actor, payload=payload,
            occurred_at=AT + timedelta(days=days, minutes=n),
            event_id=f"00000000-0000-4000-9000-{n:012d}",
        ).to_json()  # fmt: skip

    def post(self, path: str, actor: str, body: dict[str, Any], key_of: str | None = None) -> Any:
        return self.client.post(path, json=body, headers={"X-API-Key": self.api[key_of or actor]})

    def get(self, path: str, who: str) -> Any:
        return self.client.get(path, headers={"X-API-Key": self.api[who]})


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    ledger = Ledger.open(
        f"sqlite:///{tmp_path / 'api.db'}", ledger_key=SigningKey(bytes(range(32))),
        clock=FixedClock(NOW), policy=CheckpointPolicy(every_entries=10**6, every_seconds=1e9),
    )  # fmt: skip
    keys, api = {}, {}
    for pid, role in ROLES.items():
        keys[pid] = SigningKey.generate()
        ledger.register_participant(pid, pid, [role], "CN", keys[pid].public_key, SINCE)
        api[pid] = create_api_key(ledger, pid, "test", NOW)
    with TestClient(create_app(ledger)) as client:
        yield Desk(client, ledger, keys, api)
    ledger.close()


def invoiced(desk: Desk) -> None:
    """An order accepted, invoiced and the invoice confirmed by its buyer, over /v1/events."""
    steps = [
        ("buyer-1", "order.placed", {"order_id": "o-1", "seller": "seller-1", "buyer": "buyer-1",
                                     "total": usd(FACE)}),
        ("seller-1", "order.accepted", {"order_id": "o-1", "seller": "seller-1"}),
        ("seller-1", "invoice.issued", {"invoice_id": "i-1", "order_id": "o-1",
                                        "amount": usd(FACE), "due_date": "2026-07-15",
                                        "seller": "seller-1", "buyer": "buyer-1"}),
    ]  # fmt: skip
    for actor, etype, payload in steps:
        body = desk.signed(actor, "information", etype, payload)
        assert desk.post("/v1/events", actor, body).status_code == 201
    claim = body["id"]
    answer = desk.signed("buyer-1", "information", "claim.confirmed",
                         {"claim_id": claim, "party": "buyer-1"})  # fmt: skip
    assert desk.post("/v1/events", "buyer-1", answer).status_code == 201


def financing(desk: Desk, fid: str, lender: str, **extra: Any) -> dict[str, Any]:
    payload = {"financing_id": fid, "document_kind": "invoice", "document_id": "i-1",
               "seller": "seller-1", "debtor": "buyer-1", "lender": lender, "face": usd(FACE),
               "advance_rate_bp": 8500, "advanced": usd(850_000), "reserve": usd(150_000),
               "fee_bp": 100, "fee_period_days": 30, "recourse": False,
               "due_date": "2026-07-15", **extra}  # fmt: skip
    return desk.signed(lender, "finance", "receivable.financed", payload)


def refused(answer: Any, status: int, error: str, where: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert (body["error"], body["field"]) == (error, where), body


def test_a_lender_factors_an_invoice_once_and_the_parties_read_it(desk: Desk) -> None:
    invoiced(desk)
    ok = desk.post("/v1/lenders/receivables", "bank-1", financing(desk, "f-1", "bank-1"))
    assert ok.status_code == 201, ok.text
    size = desk.ledger.size()
    refused(desk.post("/v1/lenders/receivables", "bank-2", financing(desk, "f-2", "bank-2")),
            409, "already_financed", "payload.document_id")  # fmt: skip
    refused(desk.post("/v1/lenders/receivables", "bank-1", financing(desk, "f-3", "bank-1")),
            409, "already_financed", "payload.document_id")  # fmt: skip
    refused(desk.post("/v1/lenders/receivables", "bank-2", financing(
        desk, "f-4", "bank-2", advance_rate_bp=9500)), 409, "already_financed",
        "payload.document_id")  # fmt: skip
    assert desk.ledger.size() == size
    for reader in ("bank-1", "seller-1", "buyer-1", "audit-1"):
        seen = desk.get("/v1/receivables/f-1", reader)
        assert seen.status_code == 200, (reader, seen.text)
        body = seen.json()
        assert body["advanced"] == usd(850_000)
        assert body["postings"][0]["component"] == "advanced"
    refused(desk.get("/v1/receivables/f-1", "bank-2"), 404, "not_found", "financing_id")
    refused(desk.get("/v1/receivables/f-1", "seller-2"), 404, "not_found", "financing_id")
    collected = desk.signed("bank-1", "finance", "receivable.collected",
                            {"financing_id": "f-1", "lender": "bank-1", "amount": usd(FACE)},
                            days=15)  # fmt: skip
    assert desk.post("/v1/lenders/receivables", "bank-1", collected).status_code == 201
    due = desk.get("/v1/receivables/f-1", "seller-1").json()["settlement_due"]
    assert due == {"fee": usd(5_000), "rebate": usd(145_000)}  # 100 bp / 30 days, 15 days
    settled = desk.signed("bank-1", "finance", "receivable.settled",
                          {"financing_id": "f-1", "lender": "bank-1", "seller": "seller-1",
                           **due}, days=15)  # fmt: skip
    assert desk.post("/v1/lenders/receivables", "bank-1", settled).status_code == 201
    listed = desk.get("/v1/receivables?status=settled", "bank-1").json()["financings"]
    assert [(f["financing_id"], f["balance"]["amount_minor"]) for f in listed] == [("f-1", 0)]
    assert desk.get("/v1/receivables", "bank-2").json() == {"financings": []}


def test_refusals_name_the_field_and_write_nothing(desk: Desk) -> None:
    invoiced(desk)
    size = desk.ledger.size()
    refused(desk.post("/v1/lenders/receivables", "seller-1", financing(desk, "f-1", "bank-1"),
                      key_of="seller-1"), 403, "forbidden", "X-API-Key")  # fmt: skip
    refused(desk.post("/v1/lenders/receivables", "bank-2", financing(desk, "f-1", "bank-1"),
                      key_of="bank-2"), 403, "forbidden", "actor")  # fmt: skip
    order = desk.signed("buyer-1", "information", "order.placed", {"order_id": "o-2",
                        "seller": "seller-1", "buyer": "buyer-1", "total": usd(1)})  # fmt: skip
    refused(desk.post("/v1/lenders/receivables", "bank-1", order, key_of="bank-1"), 422,
            "invalid_event", "type")  # fmt: skip
    refused(desk.post("/v1/lenders/receivables", "bank-1", financing(
        desk, "f-1", "bank-1", advanced=usd(900_000))), 422, "advance_out_of_bounds",
        "payload.advanced")  # fmt: skip
    refused(desk.post("/v1/lenders/receivables", "bank-1", financing(
        desk, "f-1", "bank-1", document_id="i-404")), 404, "unknown_document",
        "payload.document_id")  # fmt: skip
    assert desk.ledger.size() == size
    refused(desk.get("/v1/receivables/nope", "audit-1"), 404, "not_found", "financing_id")
    assert desk.get("/v1/receivables?limit=0", "audit-1").status_code == 422
