"""Schema validation: valid vector documents pass, named mutations are refused whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.core.errors import LedgerError
from ledger.traceability.epcis import (
    EpcisError,
    EpcisEvent,
    EpcisSchemaError,
    export_document,
    parse_document,
)
from ledger.traceability.epcis.document import load_json, read_events
from ledger.traceability.epcis.schema import schema_document, validate_document, validate_events

EVENT = "$.epcisBody.eventList[0]"


@pytest.fixture(scope="module")
def object_doc(vectors: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (vectors / "ObjectEvent_all_possible_fields.json").read_bytes()
    )
    return loaded


def test_shipped_schema_is_the_official_one(vectors: Path) -> None:
    official = json.loads((vectors / "EPCIS-JSON-Schema.json").read_bytes())
    assert schema_document() == official


def test_every_json_vector_document_is_valid(document_paths: list[Path]) -> None:
    json_docs = [p for p in document_paths if p.suffix != ".xml"]
    assert len(json_docs) == 23
    for path in json_docs:
        validate_document(load_json(path.read_bytes()))


def test_every_xml_vector_converts_to_valid_json_ld(document_paths: list[Path]) -> None:
    xml_docs = [p for p in document_paths if p.suffix == ".xml"]
    assert len(xml_docs) == 19
    for path in xml_docs:
        validate_events(read_events(path.read_bytes()))


def _del(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda ev: ev.pop(key)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda ev: ev.__setitem__(key, value)


def _set_quantity(ev: dict[str, Any]) -> None:
    ev["quantityList"][0]["quantity"] = "two hundred"


MUTATIONS = [
    pytest.param(
        _del("eventTime"), EVENT, "'eventTime' is a required property", id="missing-eventTime"
    ),
    pytest.param(
        _del("eventTimeZoneOffset"),
        EVENT,
        "'eventTimeZoneOffset' is a required",
        id="missing-offset",
    ),
    pytest.param(_del("action"), EVENT, "'action' is a required property", id="missing-action"),
    pytest.param(_set("action", "DESTROY"), f"{EVENT}.action", "is not one of", id="bad-action"),
    pytest.param(
        _set("eventTime", "yesterday"), f"{EVENT}.eventTime", "is not a 'date-time'", id="bad-time"
    ),
    pytest.param(
        _set("eventTime", "2020-02-30T10:00:00Z"),
        f"{EVENT}.eventTime",
        "date-time",
        id="no-such-day",
    ),
    pytest.param(
        _set("eventTimeZoneOffset", "+25:00"),
        f"{EVENT}.eventTimeZoneOffset",
        "does not match",
        id="bad-offset",
    ),
    pytest.param(
        _set("epcList", "urn:epc:id:sgtin:0614141.107346.2018"),
        f"{EVENT}.epcList",
        "is not of type 'array'",
        id="epcList-not-array",
    ),
    pytest.param(
        _set_quantity,
        f"{EVENT}.quantityList[0].quantity",
        "is not of type 'number'",
        id="quantity-wrong-type",
    ),
    pytest.param(
        _set("bizStep", "urn:epcglobal:cbv:bizstep:receiving"),
        f"{EVENT}.bizStep",
        "does not match",
        id="cbv-urn-in-json",
    ),
    pytest.param(
        _set("readPoint", {"name": "dock 4"}),
        f"{EVENT}.readPoint",
        "'id' is a required property",
        id="readPoint-without-id",
    ),
    pytest.param(
        _set("unknownField", 1), EVENT, "'unknownField' is not one of", id="unprefixed-extension"
    ),
    pytest.param(_set("type", "Event"), f"{EVENT}.type", "is not a 'uri'", id="unknown-event-type"),
]


@pytest.mark.parametrize(("mutate", "path", "message"), MUTATIONS)
def test_mutated_documents_are_refused_with_their_path(
    object_doc: dict[str, Any], mutate: Callable[[dict[str, Any]], None], path: str, message: str
) -> None:
    doc = copy.deepcopy(object_doc)
    mutate(doc["epcisBody"]["eventList"][0])
    with pytest.raises(EpcisSchemaError) as caught:
        parse_document(json.dumps(doc).encode(), "application/ld+json")
    err = caught.value
    assert isinstance(err, LedgerError)
    assert err.status == 422
    assert any(r.path == path and message in r.message for r in err.reasons), err.reasons
    assert err.field == err.reasons[0].path


def test_a_document_is_refused_whole_with_every_reason(object_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(object_doc)
    good = copy.deepcopy(doc["epcisBody"]["eventList"][0])
    bad_time = {**copy.deepcopy(good), "eventTime": "soon"}
    bad_action = {**copy.deepcopy(good), "action": "MAYBE"}
    doc["epcisBody"]["eventList"] = [good, bad_time, bad_action]
    with pytest.raises(EpcisSchemaError) as caught:
        parse_document(json.dumps(doc).encode())
    paths = {r.path for r in caught.value.reasons}
    assert "$.epcisBody.eventList[1].eventTime" in paths
    assert "$.epcisBody.eventList[2].action" in paths
    assert not any(p.startswith("$.epcisBody.eventList[0]") for p in paths)
    assert "eventList[1].eventTime" in str(caught.value)


def test_document_header_is_checked(object_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(object_doc)
    del doc["creationDate"]
    doc["schemaVersion"] = "two"
    with pytest.raises(EpcisSchemaError) as caught:
        parse_document(json.dumps(doc).encode())
    messages = {(r.path, r.message) for r in caught.value.reasons}
    assert ("$", "'creationDate' is a required property") in messages
    assert any(p == "$.schemaVersion" for p, _ in messages)


def test_xml_events_are_checked_by_the_same_schema(vectors: Path) -> None:
    xml = (vectors / "epcisEventWithCURIEs.xml").read_bytes()
    broken = xml.replace(b"<action>OBSERVE</action>", b"<action>WATCH</action>")
    assert broken != xml
    with pytest.raises(EpcisSchemaError) as caught:
        parse_document(broken, "application/xml")
    assert {r.path for r in caught.value.reasons} == {"$.eventList[0].action"}


def test_large_offending_values_are_abbreviated(object_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(object_doc)
    doc["epcisBody"]["eventList"][0]["epcList"] = {"x": "y" * 500}
    with pytest.raises(EpcisError) as caught:
        parse_document(json.dumps(doc).encode())
    assert all(len(r.message) <= 300 for r in caught.value.reasons)


def test_exported_documents_are_valid(parsed: dict[str, list[EpcisEvent]]) -> None:
    events = [e.event for evs in parsed.values() for e in evs]
    assert len(events) == 92
    validate_document(export_document(events))
