"""``POST /v1/events`` answers: the validated models' bytes, each receipt as issued alone.

The handler writes the answer with orjson (``finance_api.routers.events_answer``): its bytes
must be pydantic's for any payload an event may hold, in the models' field order.

The receipts are signed on the ledger's signature threads while the entries are shown;
they must be exactly what issuing each receipt in turn gives.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from finance_api.routers.events_answer import ENTRY_FIELDS, answer_bytes
from finance_api.schemas import EntriesOut, EntryOut, ReceiptOut
from ledger.core.append_receipt import AppendReceipt
from ledger.core.entry import Appended
from ledger.core.events import Event
from tests.api.conftest import World
from tests.api.test_http import order


def validated(shown: list[dict[str, Any]], batch: bool) -> bytes:
    answer = (
        EntriesOut.model_validate({"entries": shown})
        if batch
        else EntryOut.model_validate(shown[0])
    )
    return answer.__pydantic_serializer__.to_json(answer)


def test_posted_batches_answer_the_validated_bytes_and_each_receipt(world: World) -> None:
    events = [order(world.buyer, n) for n in range(300)]  # above a signing part's size
    response = world.client.post(
        "/v1/events",
        json={"events": [e.to_json() for e in events]},
        headers=world.buyer.headers,
    )
    assert response.status_code == 201, response.text
    shown = response.json()["entries"]
    assert response.content == validated(shown, True)
    for item in shown:
        entry = world.ledger.entry(item["seq"])
        issued = AppendReceipt.issue(world.ledger.key, world.ledger.origin, entry)
        assert item["receipt"] == issued.to_json()
    single = world.client.post(
        "/v1/events", json=order(world.buyer, 999).to_json(), headers=world.buyer.headers
    )
    assert single.status_code == 201
    assert single.content == validated([single.json()], False)


def test_receipts_signed_on_threads_are_those_issued_one_by_one(world: World) -> None:
    entries = world.ledger.append_batch([order(world.buyer, 2000 + n) for n in range(260)])
    key, origin = world.ledger.key, world.ledger.origin
    expected = [AppendReceipt.issue(key, origin, entry) for entry in entries]
    assert world.ledger.receipts(entries)() == expected
    assert world.ledger.receipts(entries[:3])() == expected[:3]


def test_the_answer_follows_the_models_field_order() -> None:
    assert tuple(EntryOut.model_fields) == ENTRY_FIELDS
    receipt = AppendReceipt("origin", 1, "event", "00", "2026-01-01T00:00:00.000000Z", "sig")
    assert tuple(ReceiptOut.model_fields) == tuple(receipt.to_json())


PAYLOADS: list[Any] = [
    {"text": 'quote " backslash \\ slash / controls \x00\x01\x1f\x7f \b\f\n\r\t'},
    {"unicode": "é ü 漢字 😀 \u2028\u2029 \ufeff"},
    {"numbers": [0, -1, 2**53 - 1, -(2**53 - 1), 0.1, 1.5, 1e21, 1e-7, 5e-324, 1e300, -2.5]},
    {"nested": {"b": [True, False, None, [], {}], "a": {"z": [1, [2, {"y": None}]]}}},
    {},
]


@pytest.mark.parametrize("batch", [True, False])
def test_answer_bytes_are_the_validated_models_bytes_for_payloads_of_every_kind(
    world: World, batch: bool
) -> None:
    key, origin = world.ledger.key, world.ledger.origin
    at = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    events = [
        Event.create(key, flow="information", type="x.tested", actor="someone", payload=p,
                     occurred_at=at, subjects=["a", "b"])
        for p in PAYLOADS
    ]  # fmt: skip
    entries = [
        Appended(seq, event, bytes([seq]) * 32, bytes([seq + 1]) * 32, at + timedelta(days=seq),
                 replayed=seq % 2 == 1)
        for seq, event in enumerate(events)
    ]  # fmt: skip
    receipts = [AppendReceipt.issue(key, origin, entry) for entry in entries]
    chosen = entries if batch else entries[:1]
    shown = [
        {**entry.to_json(), "replayed": entry.replayed, "receipt": receipt.to_json()}
        for entry, receipt in zip(chosen, receipts, strict=False)
    ]
    assert answer_bytes(chosen, lambda: receipts[: len(chosen)], batch) == validated(shown, batch)
