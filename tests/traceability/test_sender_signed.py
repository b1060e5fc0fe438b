"""Sender-signed captures, the notary only for unsigned ones (and marked so), GS1 company
prefix authority over commissioning and aggregation, and whose signatures a verdict rests on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.traceability import samples as s
from ledger.traceability.capture import SIGNED_CAPTURES, sender_events
from ledger.traceability.cli import app as epcis_app
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.verification.trace_answers import verify_answer
from tests.traceability.conftest import (
    FARM,
    LEDGER_KEY,
    SSCC,
    UNITS,
    World,
    at,
    capture_json,
    supply_chain,
)

FOREIGN = [f"urn:epc:id:sgtin:9999999.107346.{i}" for i in (1, 2)]
FOREIGN_CASE = "urn:epc:id:sscc:9999999.1234567890"


def _post(world: World, events: list[dict[str, Any]]) -> Any:
    return world.client.post(
        "/v1/epcis/capture",
        content=s.document_bytes(events, at(10)),
        headers={**world.headers, "Content-Type": "application/ld+json"},
    )


def test_commissioning_under_another_brand_s_prefix_is_refused(world: World) -> None:
    size = world.ledger.size()
    refused = _post(world, [s.object_event(at(0), FOREIGN, action="ADD", biz_step="commissioning")])
    assert refused.status_code == 403, refused.text
    assert refused.json()["field"] == "epcisBody.eventList[0].epcList"
    assert world.ledger.size() == size


def test_aggregating_into_another_brand_s_container_is_refused(world: World) -> None:
    capture_json(world, supply_chain()[:1])
    size = world.ledger.size()
    refused = _post(world, [s.aggregation_event(at(1), FOREIGN_CASE, UNITS)])
    assert refused.status_code == 403
    assert refused.json()["field"] == "epcisBody.eventList[0].parentID"
    assert world.ledger.size() == size
    observing = _post(world, [s.object_event(at(2), FOREIGN, read_point=FARM)])
    assert observing.status_code == 201  # observing others' goods needs no prefix


def test_unsigned_captures_are_notarised_and_say_so(world: World) -> None:
    seqs = [e["seq"] for e in capture_json(world, supply_chain())["events"]]
    entry = world.ledger.entry(seqs[0])
    assert entry.event.actor == "epcis-notary"
    assert entry.event.payload["notarised"] is True
    answer = world.client.get(f"/v1/items/{UNITS[0]}/authenticity").json()
    assert answer["commissioning"]["signed_by"] == "epcis-notary"
    assert answer["commissioning"]["sender_signed"] is False
    assert {r["capacity"] for r in answer["rests_on"]} == {"notary"}
    verify_answer(answer, LEDGER_KEY.public_key)


def test_a_sender_signed_capture_is_signed_by_its_sender(world: World) -> None:
    document = s.document_bytes(supply_chain()[:2], at(10))
    events = sender_events(world.buyer_key, document, "application/ld+json", "shop-1")
    posted = world.client.post(
        "/v1/events", json={"events": [e.to_json() for e in events]}, headers=world.headers
    )
    assert posted.status_code == 201, posted.text
    seqs = [e["seq"] for e in posted.json()["entries"]]
    entry = world.ledger.entry(seqs[0])
    assert entry.event.actor == "shop-1"
    assert "notarised" not in entry.event.payload
    answer = world.client.get(f"/v1/items/{UNITS[0]}/authenticity").json()
    assert answer["verdict"] == "authentic"
    assert answer["commissioning"]["signed_by"] == "shop-1"
    assert answer["commissioning"]["sender_signed"] is True
    assert answer["rests_on"] == [
        {"signed_by": "shop-1", "captured_by": "shop-1", "capacity": "sender", "events": seqs}
    ]
    assert "authentic" in verify_answer(answer, LEDGER_KEY.public_key)
    trace = world.client.get(f"/v1/trace/{SSCC}", headers=world.headers).json()
    assert {e["signed_by"] for e in trace["events"]} == {"shop-1"}
    verify_answer(trace, LEDGER_KEY.public_key)
    assert canonical_id_or_self(UNITS[0]) in trace["items"]


def test_a_sender_signed_commissioning_under_another_prefix_is_refused(world: World) -> None:
    document = s.document_bytes(
        [s.object_event(at(0), FOREIGN, action="ADD", biz_step="commissioning")], at(10)
    )
    (event,) = sender_events(world.buyer_key, document, "application/ld+json", "shop-1")
    size = world.ledger.size()
    refused = world.client.post("/v1/events", json=event.to_json(), headers=world.headers)
    assert refused.status_code == 403, refused.text
    assert "9999999" in refused.json()["detail"]
    assert world.ledger.size() == size


def test_cli_sign_makes_entries_the_ledger_accepts_from_their_sender(
    world: World, tmp_path: Path
) -> None:
    document = tmp_path / "doc.jsonld"
    document.write_bytes(s.document_bytes(supply_chain()[:1], at(10)))
    key_file = tmp_path / "shop.key"
    key_file.write_text(world.buyer_key.seed.hex() + "\n")
    out = tmp_path / "events.json"
    result = CliRunner().invoke(
        epcis_app,
        ["sign", str(document), "--as", "shop-1", "--key-file", str(key_file), "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    posted = world.client.post("/v1/events", content=out.read_bytes(), headers=world.headers)
    assert posted.status_code == 201, posted.text
    assert world.ledger.entry(posted.json()["entries"][0]["seq"]).event.actor == "shop-1"


def _signed_capture(world: World, events: list[Any]) -> Any:
    return world.client.post(
        "/v1/epcis/capture",
        json={"events": [e.to_json() for e in events]},
        headers={**world.headers, "Content-Type": SIGNED_CAPTURES},
    )


def test_a_sender_signed_document_captured_through_the_capture_route(world: World) -> None:
    document = s.document_bytes(supply_chain(), at(10))
    events = sender_events(world.buyer_key, document, "application/ld+json", "shop-1")
    first = _signed_capture(world, events)
    assert first.status_code == 201, first.text
    seqs = [e["seq"] for e in first.json()["events"]]
    assert {world.ledger.entry(q).event.actor for q in seqs} == {"shop-1"}
    again = _signed_capture(world, events)
    assert again.status_code == 200
    assert [e["seq"] for e in again.json()["events"]] == seqs
    notarised = _post(world, supply_chain())  # the same events unsigned: duplicates
    assert notarised.status_code == 200
    assert [e["seq"] for e in notarised.json()["events"]] == seqs


def test_a_sender_signed_capture_must_be_the_sender_s_and_intact(world: World) -> None:
    document = s.document_bytes(supply_chain()[:1], at(10))
    size = world.ledger.size()
    other = SigningKey(bytes(range(7, 39)))
    (theirs,) = sender_events(other, document, "application/ld+json", "maker-1")
    assert _signed_capture(world, [theirs]).status_code == 403
    (mine,) = sender_events(world.buyer_key, document, "application/ld+json", "shop-1")
    forged = mine.to_json()
    forged["payload"]["epcis"]["bizStep"] = "destroying"
    refused = _signed_capture(world, [Event.from_json(forged)])
    assert refused.status_code in (400, 422), refused.text
    assert world.ledger.size() == size


def test_a_sender_signed_entry_whose_hash_id_does_not_recompute_is_refused(world: World) -> None:
    document = s.document_bytes(supply_chain()[:1], at(10))
    (mine,) = sender_events(world.buyer_key, document, "application/ld+json", "shop-1")
    body = mine.body()
    payload = {**body["payload"], "hash_id": "ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0"}
    forged = Event.create(
        world.buyer_key,
        flow="logistics",
        type="epcis.captured",
        actor="shop-1",
        payload=payload,
        occurred_at=mine.occurred_at,
        subjects=list(mine.subjects),
    )
    size = world.ledger.size()
    refused = world.client.post("/v1/events", json=forged.to_json(), headers=world.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "payload.hash_id"
    assert world.ledger.size() == size
