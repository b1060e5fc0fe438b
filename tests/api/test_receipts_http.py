"""Warehouse-receipt financing over HTTP, by audience: warehouses issue against stock,
borrowers pledge, lenders disburse, call margin and liquidate, auditors read everything and
write nothing. Refusals answer ``{error, detail, field}`` naming the rule, and write nothing.
"""

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

ROLES = {
    "wh-1": "warehouse",
    "seller-1": "seller",
    "bank-1": "lender",
    "bank-2": "lender",
    "prices-1": "price_publisher",
    "audit-1": "auditor",
}
AT = NOW - timedelta(days=20)
VALUE = {"amount_minor": 20_000_000, "currency": "USD"}


@dataclass
class Desk:
    client: TestClient
    ledger: Ledger
    keys: dict[str, SigningKey]
    api: dict[str, str]
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def signed(self, actor: str, flow: str, etype: str, payload: dict[str, Any]) -> dict[str, Any]:
        n = next(self.ids)
        return Event.create(
            self.keys[actor],
            flow=flow,
            type=etype,
            actor=actor,
            payload=payload,
            occurred_at=AT + timedelta(minutes=n),
            event_id=f"00000000-0000-4000-9000-{n:012d}",
        ).to_json()

    def post(
        self,
        path: str,
        actor: str,
        flow: str,
        etype: str,
        payload: dict[str, Any],
        key_of: str | None = None,
    ) -> Any:
        body = self.signed(actor, flow, etype, payload)
        return self.client.post(path, json=body, headers={"X-API-Key": self.api[key_of or actor]})

    def get(self, path: str, who: str) -> Any:
        return self.client.get(path, headers={"X-API-Key": self.api[who]})


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    ledger = Ledger.open(
        f"sqlite:///{tmp_path / 'api.db'}",
        ledger_key=SigningKey(bytes(range(32))),
        clock=FixedClock(NOW),
        policy=CheckpointPolicy(every_entries=10**6, every_seconds=1e9),
    )
    keys, api = {}, {}
    for pid, role in ROLES.items():
        keys[pid] = SigningKey.generate()
        ledger.register_participant(pid, pid, [role], "CN", keys[pid].public_key, SINCE)
        api[pid] = create_api_key(ledger, pid, "test", NOW)
    with TestClient(create_app(ledger)) as client:
        yield Desk(client, ledger, keys, api)
    ledger.close()


def refused(answer: Any, status: int, error: str, where: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert (body["error"], body["field"]) == (error, where), body


def stocked(desk: Desk) -> None:
    ok = desk.post(
        "/v1/warehouses/stock",
        "wh-1",
        "logistics",
        "goods.received",
        {
            "warehouse_id": "wh-1",
            "lot_id": "lot-1",
            "sku": "ALU",
            "quantity": 100,
            "unit": "t",
            "owner": "seller-1",
        },
    )
    assert ok.status_code == 201, ok.text


def receipt(desk: Desk, qty: float = 100, rid: str = "r-1") -> Any:
    return desk.post(
        "/v1/warehouses/receipts",
        "wh-1",
        "finance",
        "receipt.issued",
        {
            "receipt_id": rid,
            "warehouse_id": "wh-1",
            "holder": "seller-1",
            "lot_id": "lot-1",
            "commodity": "aluminium",
            "quantity": qty,
            "value": VALUE,
            "unit": "t",
            "document_hash": rid.encode().hex().ljust(64, "0"),
        },
    )


def pledge(desk: Desk, lender: str) -> Any:
    return desk.post(
        "/v1/borrowers/pledges",
        "seller-1",
        "finance",
        "receipt.pledged",
        {"receipt_id": "r-1", "holder": "seller-1", "lender": lender},
    )


def disburse(desk: Desk, principal: int) -> Any:
    return desk.post(
        "/v1/lenders/disbursements",
        "bank-1",
        "finance",
        "loan.disbursed",
        {
            "loan_id": "loan-1",
            "borrower": "seller-1",
            "lender": "bank-1",
            "receipt_id": "r-1",
            "principal": {"amount_minor": principal, "currency": "USD"},
            "rate_bp": 900,
        },
    )


def price(desk: Desk, minor: int) -> None:
    ok = desk.post(
        "/v1/events",
        "prices-1",
        "finance",
        "stock.price_changed",
        {
            "commodity": "aluminium",
            "unit": "t",
            "price": {"amount_minor": minor, "currency": "USD"},
            "change_bp": 0,
        },
    )
    assert ok.status_code == 201, ok.text


def test_a_receipt_beyond_stock_is_refused_naming_the_field_and_writes_nothing(desk: Desk) -> None:
    refused(receipt(desk), 409, "goods_not_held", "payload.lot_id")
    stocked(desk)
    size = desk.ledger.size()
    refused(receipt(desk, 100.5), 409, "receipt_exceeds_stock", "payload.quantity")
    assert desk.ledger.size() == size
    assert receipt(desk).status_code == 201
    assert desk.get("/v1/receipts/r-1", "seller-1").json()["live_quantity"] == 100
    assert (
        desk.get("/v1/warehouses/wh-1/stock", "wh-1").json()["lots"][0]["covered_by_receipts"]
        == 100
    )


def test_routes_take_only_their_acts_from_their_audience(desk: Desk) -> None:
    stocked(desk)
    receipt(desk)
    wrong = desk.post(
        "/v1/borrowers/pledges",
        "seller-1",
        "finance",
        "receipt.released",
        {"receipt_id": "r-1", "lender": "seller-1"},
    )
    refused(wrong, 422, "invalid_event", "type")
    refused(
        desk.post(
            "/v1/lenders/disbursements",
            "seller-1",
            "finance",
            "loan.disbursed",
            {"loan_id": "x", "borrower": "seller-1", "lender": "seller-1", "principal": VALUE},
        ),
        403,
        "forbidden",
        "X-API-Key",
    )
    refused(
        desk.post(
            "/v1/borrowers/pledges",
            "seller-1",
            "finance",
            "receipt.pledged",
            {"receipt_id": "r-1", "holder": "seller-1", "lender": "bank-1"},
            key_of="audit-1",
        ),
        403,
        "forbidden",
        "X-API-Key",
    )


def test_one_lender_at_a_time_and_the_advance_rate_over_http(desk: Desk) -> None:
    stocked(desk)
    receipt(desk)
    assert pledge(desk, "bank-1").status_code == 201
    refused(pledge(desk, "bank-2"), 409, "already_pledged", "payload.receipt_id")
    refused(disburse(desk, 13_580_001), 409, "advance_exceeded", "payload.principal.amount_minor")
    assert disburse(desk, 13_000_000).status_code == 201
    [loan] = desk.get("/v1/lenders/portfolio", "bank-1").json()["loans"]
    assert (loan["ltv_bp"], loan["ltv_state"], loan["receipts"]) == (6702, "healthy", ["r-1"])
    assert desk.get("/v1/lenders/portfolio", "bank-2").json()["loans"] == []
    assert desk.get("/v1/loans/loan-1", "bank-2").status_code == 404
    assert desk.get("/v1/loans/loan-1", "seller-1").json()["balance"]["amount_minor"] == 13_000_000


def test_a_price_drop_a_margin_call_and_a_liquidation_visible_to_the_auditor(desk: Desk) -> None:
    stocked(desk)
    receipt(desk)
    pledge(desk, "bank-1")
    disburse(desk, 13_000_000)
    call = {"loan_id": "loan-1", "lender": "bank-1", "ltv_bp": 8377}
    refused(
        desk.post("/v1/lenders/margin-calls", "bank-1", "finance", "loan.margin_called", call),
        409,
        "ltv_rule_not_met",
        "payload.ltv_bp",
    )
    price(desk, 160_000)
    assert desk.get("/v1/lenders/portfolio?ltv_state=margin_call", "bank-1").json()["loans"]
    answer = desk.post("/v1/lenders/margin-calls", "bank-1", "finance", "loan.margin_called", call)
    assert answer.status_code == 201, answer.text
    sale = {
        "loan_id": "loan-1",
        "lender": "bank-1",
        "receipt_id": "r-1",
        "proceeds": {"amount_minor": 12_500_000, "currency": "USD"},
    }
    refused(
        desk.post("/v1/lenders/liquidations", "bank-1", "finance", "collateral.liquidated", sale),
        409,
        "ltv_rule_not_met",
        "payload.loan_id",
    )
    price(desk, 140_000)
    answer = desk.post(
        "/v1/lenders/liquidations", "bank-1", "finance", "collateral.liquidated", sale
    )
    assert answer.status_code == 201, answer.text
    loan = desk.get("/v1/loans/loan-1", "audit-1").json()
    assert loan["balance"]["amount_minor"] == 500_000  # the shortfall stays owed
    assert [p["kind"] for p in loan["postings"]] == ["disbursed", "liquidation"]
    assert desk.get("/v1/receipts", "audit-1").json()["receipts"][0]["status"] == "liquidated"
    refused(
        desk.post(
            "/v1/lenders/postings",
            "bank-1",
            "finance",
            "loan.repaid",
            {
                "loan_id": "loan-1",
                "lender": "bank-1",
                "amount": {"amount_minor": 500_001, "currency": "USD"},
            },
        ),
        422,
        "overpayment",
        "payload.amount.amount_minor",
    )


def test_a_stock_count_below_the_receipts_raises_an_alert(desk: Desk) -> None:
    stocked(desk)
    receipt(desk, 90)
    counted = desk.post(
        "/v1/warehouses/stock",
        "wh-1",
        "logistics",
        "stock.counted",
        {"warehouse_id": "wh-1", "sku": "ALU", "lot_id": "lot-1", "quantity": 30},
    )
    assert counted.status_code == 201, counted.text
    kinds = {a["kind"] for a in desk.get("/v1/warehouses/alerts", "audit-1").json()["alerts"]}
    assert "count_below_receipts" in kinds
    assert desk.get("/v1/warehouses/alerts", "seller-1").json()["alerts"] == []
    assert (
        desk.get("/v1/finance/policies", "bank-1").json()["classes"]["default"]["advance_bp"]
        == 7000
    )


def test_a_split_is_one_atomic_batch_and_encumbered_goods_stay(desk: Desk) -> None:
    stocked(desk)
    receipt(desk)
    pledge(desk, "bank-1")
    out = {"warehouse_id": "wh-1", "lot_id": "lot-1", "quantity": 1, "owner": "seller-1"}
    refused(
        desk.post("/v1/warehouses/stock", "wh-1", "logistics", "goods.released", out),
        409,
        "goods_encumbered",
        "payload.quantity",
    )
    released = desk.post(
        "/v1/lenders/postings",
        "bank-1",
        "finance",
        "receipt.released",
        {"receipt_id": "r-1", "lender": "bank-1", "reason": "partial_release"},
    )
    assert released.status_code == 201, released.text
    new = desk.signed(
        "wh-1",
        "finance",
        "receipt.issued",
        {
            "receipt_id": "r-2",
            "warehouse_id": "wh-1",
            "holder": "seller-1",
            "lot_id": "lot-1",
            "commodity": "aluminium",
            "quantity": 60,
            "value": VALUE,
            "unit": "t",
            "document_hash": "ab" * 32,
            "replaces": "r-1",
        },
    )
    old = desk.signed(
        "wh-1",
        "finance",
        "receipt.cancelled",
        {"receipt_id": "r-1", "warehouse_id": "wh-1", "reason": "split", "replaced_by": "r-2"},
    )
    split = desk.client.post(
        "/v1/warehouses/receipts/split",
        json={"events": [new, old]},
        headers={"X-API-Key": desk.api["wh-1"]},
    )
    assert split.status_code == 201, split.text
    assert desk.get("/v1/receipts/r-2", "seller-1").json()["live_quantity"] == 60
    assert desk.get("/v1/receipts/r-1", "seller-1").json()["status"] == "cancelled"
    out["quantity"] = 40
    assert (
        desk.post("/v1/warehouses/stock", "wh-1", "logistics", "goods.released", out).status_code
        == 201
    )
