"""Error declarations void events; recall scope of a lot; authenticity verdicts and flags."""

from __future__ import annotations

from typing import Any

from ledger.traceability import samples as s
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.verification.trace import verify_trace
from tests.traceability.conftest import (
    FACTORY,
    FARM,
    LEDGER_KEY,
    LOT,
    PRODUCT,
    SSCC,
    STORE,
    UNITS,
    World,
    at,
    capture_json,
    supply_chain,
)

PACK_ID = "urn:uuid:7c0c4b9e-6f55-4c52-a7c6-2f0a2b9d0a11"


def _get(world: World, path: str) -> dict[str, Any]:
    response = world.client.get(path, headers=world.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _events(world: World, events: list[dict[str, Any]]) -> list[int]:
    captured = capture_json(world, events)["events"]
    assert isinstance(captured, list)
    return [e["seq"] for e in captured]


def test_an_error_declaration_voids_an_event_and_its_links(world: World) -> None:
    events = supply_chain()
    events[1]["eventID"] = PACK_ID
    seqs = _events(world, events)
    before = _get(world, f"/v1/trace/{PRODUCT}")
    assert canonical_id_or_self(SSCC) in before["items"]
    declaration = {
        **events[1],
        "errorDeclaration": {"declarationTime": "2026-01-06T08:00:00Z", "reason": "incorrect_data"},
    }
    (declared,) = _events(world, [declaration])
    after = _get(world, f"/v1/trace/{PRODUCT}")
    assert canonical_id_or_self(SSCC) not in after["items"]  # the packing no longer links
    live = [e["seq"] for e in after["events"]]
    assert seqs[1] not in live
    assert declared not in live
    assert [(v["seq"], v["declared_by"]) for v in after["voided"]] == [(seqs[1], declared)]
    report = verify_trace(after, LEDGER_KEY.public_key)
    assert report.voided == 1


def test_recall_scope_lists_end_items_and_where_they_are(world: World) -> None:
    _events(world, supply_chain())
    recall = _get(world, f"/v1/recall/{LOT}")
    assert [item["id"] for item in recall["end_items"]] == [canonical_id_or_self(PRODUCT)]
    where = recall["end_items"][0]["last_seen"]
    assert where["biz_location"] == canonical_id_or_self(STORE)
    via_unit = _get(world, f"/v1/recall/{UNITS[1]}")
    assert [item["id"] for item in via_unit["end_items"]] == [canonical_id_or_self(PRODUCT)]
    missing = world.client.get(
        "/v1/recall/urn:epc:class:lgtin:4012345.011111.NOPE", headers=world.headers
    )
    assert missing.status_code == 404


def _check(world: World, item: str) -> dict[str, Any]:
    return _get(world, f"/v1/items/{item}/authenticity")


def test_an_item_with_a_clean_history_is_authentic(world: World) -> None:
    seqs = _events(world, supply_chain())
    answer = _check(world, UNITS[0])
    assert answer["verdict"] == "authentic"
    assert answer["flags"] == []
    assert answer["commissioning"]["seq"] == seqs[0]
    assert answer["commissioning"]["biz_location"] == canonical_id_or_self(FARM)
    assert answer["brand"]["company_prefix"] == "0614141"


def test_certifications_are_reported(world: World) -> None:
    event = s.object_event(
        at(0), [UNITS[0]], action="ADD", biz_step="commissioning", biz_location=FARM
    )
    event["certificationInfo"] = "https://accreditation-council.example.org/certificate/ABC12345"
    _events(world, [event])
    answer = _check(world, UNITS[0])
    assert [c["certification"] for c in answer["certifications"]] == [event["certificationInfo"]]


def test_commissioned_twice_is_suspicious(world: World) -> None:
    _events(world, supply_chain())
    _events(
        world,
        [
            s.object_event(
                at(7), [UNITS[1]], action="ADD", biz_step="commissioning", biz_location=FACTORY
            )
        ],
    )
    answer = _check(world, UNITS[1])
    assert answer["verdict"] == "suspicious"
    assert [f["flag"] for f in answer["flags"]] == ["commissioned_twice"]


def test_two_places_at_once_is_suspicious(world: World) -> None:
    _events(world, supply_chain())
    _events(
        world,
        [
            s.object_event(at(8), [UNITS[2]], read_point=FARM),
            s.object_event(at(8), [UNITS[2]], read_point=STORE),
        ],
    )
    answer = _check(world, UNITS[2])
    assert [f["flag"] for f in answer["flags"]] == ["two_places_at_once"]
    assert answer["verdict"] == "suspicious"


def test_observed_after_destroyed_is_suspicious(world: World) -> None:
    _events(world, supply_chain())
    _events(
        world,
        [
            s.object_event(at(9), [PRODUCT], biz_step="destroying", disposition="destroyed"),
            s.object_event(at(10), [PRODUCT], biz_step="shipping", biz_location=STORE),
        ],
    )
    answer = _check(world, PRODUCT)
    assert [f["flag"] for f in answer["flags"]] == ["after_destroyed"]
    assert answer["verdict"] == "suspicious"


def test_an_item_never_commissioned_is_unknown(world: World) -> None:
    _events(world, supply_chain())
    answer = _check(world, SSCC)
    assert answer["verdict"] == "unknown"
    assert answer["commissioning"] is None


def _declaration(event: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"declarationTime": "2026-01-06T08:00:00Z", "reason": "incorrect_data"}
    return {**event, **fields, "errorDeclaration": body}


def test_a_declaration_without_event_id_voids_by_hash_and_is_not_live(world: World) -> None:
    events = supply_chain()  # the packing carries no eventID
    seqs = _events(world, events)
    (declared,) = _events(world, [_declaration(events[1])])
    after = _get(world, f"/v1/trace/{PRODUCT}")
    live = [e["seq"] for e in after["events"]]
    assert declared not in live
    assert seqs[1] not in live
    assert [(v["seq"], v["declared_by"]) for v in after["voided"]] == [(seqs[1], declared)]
    assert canonical_id_or_self(SSCC) not in after["items"]
    verify_trace(after, LEDGER_KEY.public_key)


def test_a_later_proper_declaration_is_written_not_answered_as_duplicate(world: World) -> None:
    events = supply_chain()
    events[1]["eventID"] = PACK_ID
    seqs = _events(world, events)
    bare = {k: v for k, v in events[1].items() if k != "eventID"}
    first = capture_json(world, [_declaration(bare)])["events"]
    proper = capture_json(world, [_declaration(events[1])])["events"]
    assert isinstance(first, list)
    assert isinstance(proper, list)
    assert proper[0]["duplicate"] is False
    assert proper[0]["seq"] != first[0]["seq"]
    again = capture_json(world, [_declaration(events[1])])["events"]
    assert isinstance(again, list)
    assert again[0] == {**proper[0], "duplicate": True}
    after = _get(world, f"/v1/trace/{PRODUCT}")
    assert seqs[1] in [v["seq"] for v in after["voided"]]
    live = {e["seq"] for e in after["events"]}
    assert live.isdisjoint({first[0]["seq"], proper[0]["seq"], seqs[1]})
    verify_trace(after, LEDGER_KEY.public_key)
