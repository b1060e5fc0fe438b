"""Capture: every shared vector document, duplicates by hash ID, whole-document refusal."""

from __future__ import annotations

import gc
import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.core.errors import Forbidden
from ledger.traceability import samples
from ledger.traceability.capture import capture
from ledger.traceability.tables import EpcisEventRow
from tests.traceability.conftest import NOW, SSCC, World, at, capture_json, supply_chain


def _vectors(shared_dir: Path) -> tuple[Path, dict[str, list[str]]]:
    folder = shared_dir / "vectors" / "epcis"
    return folder, json.loads((folder / "expected_hashes.json").read_text())


def _post(world: World, data: bytes, content_type: str) -> Any:
    return world.client.post(
        "/v1/epcis/capture", content=data, headers={**world.headers, "Content-Type": content_type}
    )


def _kind(name: str) -> str:
    return "application/xml" if name.endswith(".xml") else "application/ld+json"


def test_every_vector_document_is_captured_in_document_order(
    world: World, shared_dir: Path
) -> None:
    folder, expected = _vectors(shared_dir)
    seen: dict[str, int] = {}
    for name, hashes in expected.items():
        response = _post(world, (folder / name).read_bytes(), _kind(name))
        events = response.json()["events"]
        twin = all(e["hash_id"] in seen for e in events)  # an XML twin of a JSON document
        assert response.status_code == (200 if twin else 201), (name, response.text)
        assert [e["hash_id"] for e in events] == hashes, name
        for event in events:
            if event["hash_id"] in seen:
                assert event["duplicate"], name
                assert event["seq"] == seen[event["hash_id"]], name
            else:
                assert not event["duplicate"], name
                seen[event["hash_id"]] = event["seq"]
            entry = world.ledger.entry(event["seq"]).event
            assert entry.type == "epcis.captured"
            assert entry.payload["hash_id"] == event["hash_id"]
            assert entry.payload["captured_by"] == "shop-1"
            assert "shop-1" in entry.subjects
    with world.ledger.engines.read.connect() as connection:
        indexed = connection.execute(select(func.count()).select_from(EpcisEventRow)).scalar()
    assert indexed == len(seen)


def test_xml_twin_is_a_duplicate_of_its_json(world: World, shared_dir: Path) -> None:
    folder, _ = _vectors(shared_dir)
    first = _post(world, (folder / "epcisDocWithVariousEventTypes.jsonld").read_bytes(), "a/json")
    size = world.ledger.size()
    twin = _post(world, (folder / "epcisDocWithVariousEventTypes.xml").read_bytes(), "a/xml")
    assert twin.status_code == 200  # nothing new: answered like a replay on POST /v1/events
    assert all(e["duplicate"] for e in twin.json()["events"])
    assert [e["seq"] for e in twin.json()["events"]] == [e["seq"] for e in first.json()["events"]]
    assert world.ledger.size() == size


def test_shuffled_keys_and_repeats_in_one_document_are_duplicates(world: World) -> None:
    events = supply_chain()
    first = capture_json(world, events)["events"]
    rng = random.Random(7)
    shuffled = []
    for event in events:
        items = list(event.items())
        rng.shuffle(items)
        shuffled.append(dict(items))
    again = capture_json(world, [*reversed(shuffled), shuffled[0]])["events"]
    assert isinstance(first, list)
    assert isinstance(again, list)
    assert all(e["duplicate"] for e in again)
    by_hash = {e["hash_id"]: e["seq"] for e in first}
    assert [e["seq"] for e in again] == [by_hash[e["hash_id"]] for e in again]
    fresh = capture_json(world, [events[0], events[0]])["events"]
    assert isinstance(fresh, list)
    assert [e["duplicate"] for e in fresh] == [True, True]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda e: e.update(action="SIDEWAYS"), "action"),
        (lambda e: e.pop("eventTime"), "eventTime"),
    ],
)
def test_a_bad_event_refuses_the_whole_document_with_reasons(
    world: World, mutate: Any, path: str
) -> None:
    events = supply_chain()
    mutate(events[3])
    size = world.ledger.size()
    response = _post(world, samples.document_bytes(events, NOW), "a/json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "epcis_schema"
    assert any("eventList[3]" in r["path"] for r in body["reasons"]), body
    assert world.ledger.size() == size
    with world.ledger.engines.read.connect() as connection:
        assert connection.execute(select(func.count()).select_from(EpcisEventRow)).scalar() == 0


def test_malformed_bytes_are_a_400_and_capture_needs_an_api_key(world: World) -> None:
    assert _post(world, b"{not json", "application/json").status_code == 400
    response = world.client.post(
        "/v1/epcis/capture", content=b"{}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 401


def test_a_capture_of_duplicates_only_answers_200_with_the_existing_entries(world: World) -> None:
    data = samples.document_bytes(supply_chain(), at(10))
    headers = {**world.headers, "Content-Type": "application/ld+json"}
    first = world.client.post("/v1/epcis/capture", content=data, headers=headers)
    assert first.status_code == 201
    size = world.ledger.size()
    again = world.client.post("/v1/epcis/capture", content=data, headers=headers)
    assert again.status_code == 200
    assert [e["seq"] for e in again.json()["events"]] == [e["seq"] for e in first.json()["events"]]
    assert all(e["duplicate"] for e in again.json()["events"])
    assert world.ledger.size() == size
    mixed = samples.document_bytes([*supply_chain(), samples.object_event(at(9), [SSCC])], at(10))
    assert world.client.post("/v1/epcis/capture", content=mixed, headers=headers).status_code == 201


def test_a_capture_leaves_the_cyclic_collector_on_whether_written_or_refused(
    world: World,
) -> None:
    gc.enable()
    data = samples.document_bytes(supply_chain(), at(10))
    assert capture(world.ledger, data, "application/ld+json", "shop-1")
    assert gc.isenabled()
    size = world.ledger.size()
    with pytest.raises(Forbidden, match="company prefix"):  # unregistered: the lock's refusal
        capture(world.ledger, data, "application/ld+json", "buyer-1")
    assert gc.isenabled()
    assert world.ledger.size() == size
