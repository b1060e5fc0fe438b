"""The hash names the event, not its writing: key order, list order, format and round trips."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.traceability.epcis import EpcisEvent, event_hash_id, export_document, parse_document
from ledger.traceability.epcis.hashid import PROFILES


@pytest.fixture(scope="module")
def json_events(parsed: dict[str, list[EpcisEvent]]) -> list[dict[str, Any]]:
    events = [
        dict(e.event) for name, evs in parsed.items() if not name.endswith(".xml") for e in evs
    ]
    assert len(events) == 40
    return events


def _shuffled(value: Any, rnd: random.Random) -> Any:
    """The same JSON value with every object's keys and every array in a random order."""
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: _shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        items = [_shuffled(v, rnd) for v in value]
        rnd.shuffle(items)
        return items
    return value


_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@_SETTINGS
@given(data=st.data())
def test_key_and_list_order_do_not_change_the_hash(
    json_events: list[dict[str, Any]], data: st.DataObject
) -> None:
    event = data.draw(st.sampled_from(json_events))
    rnd = data.draw(st.randoms(use_true_random=False))
    shuffled = _shuffled(event, rnd)
    for algorithm in PROFILES:
        assert event_hash_id(shuffled, algorithm=algorithm) == event_hash_id(
            event, algorithm=algorithm
        )


@_SETTINGS
@given(data=st.data())
def test_shuffled_documents_parse_to_the_same_hashes(
    document_paths: list[Path], parsed: dict[str, list[EpcisEvent]], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from([p for p in document_paths if p.suffix != ".xml"]))
    rnd = data.draw(st.randoms(use_true_random=False))
    document = json.loads(path.read_bytes())
    reordered = json.dumps(_shuffled(document, rnd)).encode()
    original = [e.hash_id for e in parsed[path.name]]
    # the event list itself is ordered: compare as multisets
    assert sorted(e.hash_id for e in parse_document(reordered)) == sorted(original)


def test_a_changed_event_changes_its_hash(json_events: list[dict[str, Any]]) -> None:
    """The invariance is not blindness: what the event says does count."""
    event = next(e for e in json_events if e.get("epcList") and e.get("bizStep"))
    base = event_hash_id(event)
    changes = [
        {**event, "eventTimeZoneOffset": "+05:00"},  # same instant, other offset: other event
        {**event, "epcList": [*event["epcList"], "urn:epc:id:sgtin:0614141.107346.1"]},
        {**event, "bizStep": "shipping" if event["bizStep"] != "shipping" else "receiving"},
        {**event, "example:note": "x", "@context": {"example": "https://example.com/"}},
    ]
    hashes = [event_hash_id(c) for c in changes]
    assert base not in hashes
    assert len(set(hashes)) == len(hashes)


def test_round_trip_through_export_keeps_every_hash(parsed: dict[str, list[EpcisEvent]]) -> None:
    for name, events in parsed.items():
        exported = json.dumps(export_document([e.event for e in events])).encode()
        again = parse_document(exported, "application/ld+json")
        assert [e.hash_id for e in again] == [e.hash_id for e in events], name
        assert [e.event for e in again] == [e.event for e in events], name


def test_normalised_events_hash_alone(parsed: dict[str, list[EpcisEvent]]) -> None:
    """A stored event needs no document: its own @context carries its prefixes."""
    for name, events in parsed.items():
        for event in events:
            assert event_hash_id(copy.deepcopy(dict(event.event))) == event.hash_id, name


def test_xml_twin_of_a_json_event_is_a_duplicate(vectors: Path) -> None:
    from_json = parse_document(
        (vectors / "epcisDocWithShippingAndTransportingEvent.jsonld").read_bytes()
    )
    from_xml = parse_document(
        (vectors / "epcisDocWithShippingAndTransportingEvent.xml").read_bytes()
    )
    assert {e.hash_id for e in from_json} == {e.hash_id for e in from_xml}
