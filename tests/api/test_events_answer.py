"""``POST /v1/events`` answers: the validated models' bytes, each receipt as issued alone.

The receipts are signed on the ledger's signature threads while the entries are shown;
they must be exactly what issuing each receipt in turn gives.
"""

from __future__ import annotations

from typing import Any

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
