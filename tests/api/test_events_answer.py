"""``POST /v1/events`` answers: the same bytes as the validated models, the same receipts.

The answer is serialised from models built without validation, and the receipts are signed
on the ledger's signature threads; both must give exactly what validating the models and
issuing each receipt in turn gave.
"""

from __future__ import annotations

from typing import Any

import pytest

from finance_api.routers.participants import answer_json
from finance_api.schemas import EntriesOut, EntryOut
from ledger.core.append_receipt import AppendReceipt
from tests.api.conftest import World
from tests.api.test_http import order


def validated(shown: list[dict[str, Any]], batch: bool) -> bytes:
    answer = (
        EntriesOut.model_validate({"entries": shown})
        if batch
        else EntryOut.model_validate(shown[0])
    )
    return answer.__pydantic_serializer__.to_json(answer)


def odd_event() -> dict[str, Any]:
    """An event's JSON with what serialisers disagree on: floats, escapes, non-ASCII."""
    return {
        "id": "0b3c1e9e-5d7a-4f51-9a3b-2f1c6c7d8e9f",
        "payload": {
            "ratio": 0.1, "big": 2**60, "tiny": 1e-7, "huge": 1.5e300, "neg": -0.0,
            "text": 'Grüße, 東京 "quoted" \\ back\u0001\u001f\u007f\u2028/slash\n\t',
            "nested": [{"z": None, "a": [True, False, []]}, {}],
        },
        "signature": "ab" * 64,
    }  # fmt: skip


def shown_entry(seq: int, event: dict[str, Any], replayed: bool) -> dict[str, Any]:
    return {
        "seq": seq,
        "event": event,
        "leaf_hash": "00" * 32,
        "chain_hash": "ff" * 32,
        "recorded_at": "2026-06-01T12:00:00.000000Z",
        "format": 1,
        "backfilled": False,
        "replayed": replayed,
        "receipt": {
            "origin": "threeflow.ledger/é",
            "seq": seq,
            "event_id": event["id"],
            "leaf_hash": "00" * 32,
            "recorded_at": "2026-06-01T12:00:00.000000Z",
            "signature": "cd" * 64,
        },
    }


@pytest.mark.parametrize("batch", [True, False])
def test_the_answer_is_the_validated_models_bytes(batch: bool) -> None:
    shown = [shown_entry(7, odd_event(), False), shown_entry(8, odd_event(), True)]
    assert answer_json(shown, batch) == validated(shown, batch)


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
