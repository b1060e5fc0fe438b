"""A ledger with an app over it (SQLite and PostgreSQL), a participant with an API key, and a
built supply chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from finance_api.app import create_app
from finance_api.auth import create_api_key
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger
from ledger.traceability import samples as s
from tests.ledger.conftest import postgres_store, sqlite_store, store
from tests.ledger.stores import Store

__all__ = ["postgres_store", "sqlite_store", "store"]  # the backends' fixtures, shared

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
LEDGER_KEY = SigningKey(bytes(range(32)))

UNITS = [f"urn:epc:id:sgtin:0614141.107346.{i}" for i in (1, 2, 3)]
SSCC = "urn:epc:id:sscc:0614141.1234567890"
LOT = "urn:epc:class:lgtin:4012345.011111.LOT7"
PRODUCT = "urn:epc:id:sgtin:0614141.200000.P1"
PO = "urn:epcglobal:cbv:bt:0614141000005:PO-1"
SO = "urn:epcglobal:cbv:bt:0614141000005:SO-9"
FARM = "urn:epc:id:sgln:0614141.00001.0"
FACTORY = "urn:epc:id:sgln:0614141.00002.0"
STORE = "urn:epc:id:sgln:0614141.00003.0"


PREFIXES = ["0614141", "4012344", "4012345", "4047023", "4047111", "4054739", "5200001"]
"""The GS1 company prefixes registered to shop-1: those of our samples and of the vectors."""


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def supply_chain() -> list[dict[str, object]]:
    """commission -> pack -> ship (PO) -> receive -> transform (+ a lot) -> sell (SO)."""
    return [
        s.object_event(at(0), UNITS, action="ADD", biz_step="commissioning", biz_location=FARM),
        s.aggregation_event(at(1), SSCC, UNITS, biz_location=FARM),
        s.object_event(at(2), [SSCC], biz_step="shipping", biz_transactions=[("po", PO)]),
        s.object_event(at(3), [SSCC], biz_step="receiving", biz_location=FACTORY),
        s.transformation_event(at(4), UNITS, [PRODUCT], input_quantities=[(LOT, 5)]),
        s.object_event(
            at(5),
            [PRODUCT],
            biz_step="retail_selling",
            biz_location=STORE,
            biz_transactions=[("inv", SO)],
        ),
    ]


@dataclass
class World:
    client: TestClient
    ledger: Ledger
    headers: dict[str, str]
    buyer_key: SigningKey


@pytest.fixture
def world(store: Store) -> Iterator[World]:
    url = store.new_url()
    ledger = Ledger.open(
        url,
        ledger_key=LEDGER_KEY,
        clock=FixedClock(NOW),
        policy=CheckpointPolicy(every_entries=10_000, every_seconds=1e9),
    )
    buyer = SigningKey(bytes(range(1, 33)))
    ledger.register_participant(
        "shop-1", "Shop", ["buyer"], "DE", buyer.public_key, at(-100), gs1_prefixes=PREFIXES
    )
    api_key = create_api_key(ledger, "shop-1", "test", NOW)
    with TestClient(create_app(ledger)) as client:
        yield World(client, ledger, {"X-API-Key": api_key}, buyer)
    ledger.close()
    store.drop(url)


def order_placed(key: SigningKey) -> Event:
    return Event.create(
        key,
        flow="information",
        type="order.placed",
        actor="shop-1",
        payload={
            "order_id": "SO-9",
            "seller": "maker-1",
            "buyer": "shop-1",
            "total": {"amount_minor": 1000, "currency": "EUR"},
        },
        occurred_at=at(4.5),
        subjects=["shop-1", SO],
    )


def capture_json(world: World, events: list[dict[str, object]]) -> dict[str, object]:
    response = world.client.post(
        "/v1/epcis/capture",
        content=s.document_bytes(events, at(10)),
        headers={**world.headers, "Content-Type": "application/ld+json"},
    )
    body: dict[str, object] = response.json()
    assert isinstance(body["events"], list), response.text
    fresh = not all(e["duplicate"] for e in body["events"])
    assert response.status_code == (201 if fresh else 200), response.text
    return body
