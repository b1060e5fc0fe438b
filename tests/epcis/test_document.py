"""parse_document and export_document: formats, bare events, refusals, the event value."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger.core.errors import LedgerError
from ledger.traceability.epcis import (
    BizTransaction,
    EpcisError,
    EpcisEvent,
    EpcisSchemaError,
    EpcisSyntaxError,
    export_document,
    parse_document,
)
from ledger.traceability.epcis.schema import validate_document
from ledger.traceability.epcis.vocab import CONTEXT_URL


def _doc(vectors: Path, name: str) -> bytes:
    return (vectors / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("epcisDocWithSingleEvent.jsonld", None),
        ("epcisDocWithSingleEvent.jsonld", "application/ld+json"),
        ("epcisDocWithSingleEvent.jsonld", "application/json; charset=utf-8"),
        ("epcisEventWithCURIEs.xml", None),
        ("epcisEventWithCURIEs.xml", "application/xml"),
        ("epcisEventWithCURIEs.xml", "text/xml; charset=UTF-8"),
    ],
)
def test_format_is_taken_from_content_type_or_sniffed(
    vectors: Path, name: str, content_type: str | None
) -> None:
    events = parse_document(_doc(vectors, name), content_type)
    assert len(events) == 1
    assert events[0].hash_id.startswith("ni:///sha-256;")


def test_query_documents_are_read(vectors: Path) -> None:
    for name in ("epcisQueryDocument.jsonld", "epcisQueryDocument.xml"):
        assert [e.event_type for e in parse_document(_doc(vectors, name))] == ["ObjectEvent"] * 2


def test_a_bare_event_is_a_one_event_document(vectors: Path) -> None:
    document = json.loads(_doc(vectors, "ObjectEvent_all_possible_fields.json"))
    event = {"@context": document["@context"], **document["epcisBody"]["eventList"][0]}
    [alone] = parse_document(json.dumps(event).encode())
    [inside] = parse_document(_doc(vectors, "ObjectEvent_all_possible_fields.json"))
    assert alone.hash_id == inside.hash_id
    assert alone.event == inside.event


def test_a_bare_xml_event_is_a_one_event_document() -> None:
    xml = b"""<ObjectEvent><eventTime>2005-04-03T20:33:31.116-06:00</eventTime>
      <eventTimeZoneOffset>-06:00</eventTimeZoneOffset>
      <epcList><epc>urn:epc:id:sgtin:0614141.107346.2017</epc></epcList>
      <action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep></ObjectEvent>"""
    [event] = parse_document(xml)
    assert event.event["bizStep"] == "shipping"
    assert event.epc_list == ("https://id.gs1.org/01/10614141073464/21/2017",)


@pytest.mark.parametrize(
    ("data", "content_type", "needle"),
    [
        (b"", None, "neither JSON nor XML"),
        (b"hello", None, "neither JSON nor XML"),
        (b"{", None, "not well-formed JSON"),
        (b'{"type": "ObjectEvent", "type": "X"}', None, "duplicate JSON key"),
        (b'{"a": NaN}', None, "NaN"),
        (b'{"a": "\xff"}', None, "not UTF-8"),
        (b"[" * 100_000, None, "nested too deeply"),
        (b"<EPCISDocument><EPCISBody>", None, "not well-formed XML"),
        (b"<html/>", None, "not an EPCIS document"),
        (b"<EPCISDocument/>", "application/xml", "EPCISBody"),
        (b"<ObjectEvent/>", "application/json", "not well-formed JSON"),
    ],
)
def test_malformed_input_is_a_syntax_error(
    data: bytes, content_type: str | None, needle: str
) -> None:
    with pytest.raises(EpcisSyntaxError, match=needle) as caught:
        parse_document(data, content_type)
    assert isinstance(caught.value, LedgerError)
    assert caught.value.status == 400


def test_xml_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = f"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>
<ObjectEvent><eventTime>2005-04-03T20:33:31.116-06:00</eventTime>
<eventTimeZoneOffset>-06:00</eventTimeZoneOffset><epcList><epc>&x;</epc></epcList>
<action>OBSERVE</action></ObjectEvent>""".encode()
    with pytest.raises(EpcisError, match="may not carry a DTD") as caught:
        parse_document(xml)
    assert "TOP-SECRET" not in str(caught.value)


def test_a_dtd_declaring_internal_entities_is_refused_not_emptied() -> None:
    """Refused with the reason, where the references used to be stored silently empty."""
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<ObjectEvent><eventTime>2005-04-03T20:33:31.116-06:00</eventTime>
<eventTimeZoneOffset>-06:00</eventTimeZoneOffset><epcList><epc>&lol2;</epc></epcList>
<action>OBSERVE</action></ObjectEvent>"""
    with pytest.raises(EpcisError, match="DTD") as caught:
        parse_document(xml)
    assert caught.value.status < 500


def test_event_value_and_its_item_ids(vectors: Path) -> None:
    [event] = parse_document(_doc(vectors, "TransformationEvent_all_possible_fields.json"))
    assert dataclasses.is_dataclass(event)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.hash_id = "x"  # type: ignore[misc]
    assert event.event_type == "TransformationEvent"
    assert event.hash_algorithm == "CBV2.0"
    assert event.event_time == datetime(2013, 10, 31, 14, 58, 56, 591000, tzinfo=UTC)
    assert event.input_epcs == (
        "https://id.gs1.org/01/04012345111224/21/25",
        "https://id.gs1.org/01/04000001654321/21/99886655",
    )
    assert "https://id.gs1.org/01/04012345778892/21/28" in event.output_epcs
    assert event.input_classes == (
        "https://id.gs1.org/01/04012345111118/10/4444",
        "https://id.gs1.org/01/00614141777778/10/987",
        "https://id.gs1.org/01/04012345666663",
    )
    assert event.read_point == "https://id.gs1.org/414/4012345000016"
    assert event.biz_location == "https://id.gs1.org/414/0614141008889"
    assert event.biz_step == "https://ref.gs1.org/cbv/BizStep-commissioning"
    assert event.disposition == "https://ref.gs1.org/cbv/Disp-in_progress"
    assert BizTransaction(
        "https://ref.gs1.org/cbv/BTT-po", "https://id.gs1.org/253/06141410000121618034"
    ) in (event.biz_transactions)
    assert event.sources[0] == BizTransaction(
        "https://ref.gs1.org/cbv/SDT-location", "https://id.gs1.org/414/4012345002256"
    )
    assert (
        set(event.input_epcs) | set(event.output_epcs) | set(event.input_classes)
        <= event.item_ids()
    )


def test_aggregation_ids(vectors: Path) -> None:
    [event] = parse_document(_doc(vectors, "AggregationEvent_all_possible_fields.json"))
    assert event.parent_id == "https://id.gs1.org/00/106141412345678908"
    assert event.child_epcs == (
        "https://id.gs1.org/01/10614141073464/21/2017",
        "https://id.gs1.org/01/10614141073464/21/2018",
    )
    assert event.child_classes == (
        "https://id.gs1.org/01/04012345987652",
        "https://id.gs1.org/01/04012345123456/10/998877",
    )
    assert event.parent_id in event.item_ids()


def test_error_declarations(vectors: Path) -> None:
    [declared] = parse_document(_doc(vectors, "epcisDocWithXMLstartTagAndErrorDeclaration.xml"))
    assert declared.is_error_declaration
    assert declared.declared_event_id == "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8"
    assert declared.corrective_event_ids == ()
    [with_corrections] = parse_document(_doc(vectors, "ObjectEvent_all_possible_fields.json"))
    assert with_corrections.corrective_event_ids == (
        "ni:///sha-256;fec9667280c4710a3fa9558b7bc8ddc2ced0dc442d87f82becae24bb6ca6a46f?ver=CBV2.0",
    )
    # the declaration keeps the hash of the event it voids
    original = {k: v for k, v in declared.event.items() if k != "errorDeclaration"}
    assert EpcisEvent.from_event(original).hash_id == declared.hash_id
    assert not EpcisEvent.from_event(original).is_error_declaration


def test_from_event_refuses_events_without_type_or_time() -> None:
    with pytest.raises(EpcisError, match="type"):
        EpcisEvent.from_event({"eventTime": "2020-01-01T00:00:00Z"})
    with pytest.raises(EpcisError, match="eventTime") as caught:
        EpcisEvent.from_event({"type": "ObjectEvent", "eventTime": "never"})
    assert caught.value.field == "eventTime"


def test_cbv21_profile_on_request(vectors: Path) -> None:
    [event] = parse_document(_doc(vectors, "epcisDocWithSingleEvent.jsonld"), algorithm="CBV2.1")
    assert event.hash_algorithm == "CBV2.1"
    assert event.hash_id.endswith("?ver=CBV2.1")
    with pytest.raises(ValueError, match="unknown event hash algorithm"):
        parse_document(_doc(vectors, "epcisDocWithSingleEvent.jsonld"), algorithm="legacy")


def _event(prefix: str, namespace: str) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": "2020-01-01T00:00:00.000Z",
        "eventTimeZoneOffset": "+00:00",
        "epcList": [],
        "action": "OBSERVE",
        f"{prefix}:note": "x",
        "@context": {prefix: namespace},
    }


def test_export_merges_prefixes_into_the_document_context() -> None:
    events = [_event("a", "https://a.example/"), _event("b", "https://b.example/")]
    document = export_document(events)
    assert document["@context"] == [
        CONTEXT_URL,
        {"a": "https://a.example/", "b": "https://b.example/"},
    ]
    assert all("@context" not in e for e in document["epcisBody"]["eventList"])
    assert events[0]["@context"] == {"a": "https://a.example/"}  # inputs are not modified
    validate_document(document)
    assert [e.hash_id for e in parse_document(json.dumps(document).encode())] == [
        EpcisEvent.from_event(e).hash_id for e in events
    ]


def test_export_keeps_conflicting_prefixes_per_event() -> None:
    events = [_event("a", "https://a.example/"), _event("a", "https://other.example/")]
    document = export_document(events)
    assert document["@context"] == [CONTEXT_URL]
    assert [e["@context"] for e in document["epcisBody"]["eventList"]] == [
        {"a": "https://a.example/"},
        {"a": "https://other.example/"},
    ]
    validate_document(document)
    again = parse_document(json.dumps(document).encode())
    assert [e.hash_id for e in again] == [EpcisEvent.from_event(e).hash_id for e in events]
    assert again[0].hash_id != again[1].hash_id


def test_export_creation_date_is_reproducible() -> None:
    early = _event("a", "https://a.example/")
    late = {**early, "eventTime": "2021-06-01T12:00:00+02:00", "recordTime": "2021-06-02T00:00:00Z"}
    assert export_document([early, late])["creationDate"] == "2021-06-02T00:00:00.000Z"
    assert export_document([])["creationDate"] == "1970-01-01T00:00:00.000Z"
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert (
        export_document([early], creation_date=when)["creationDate"] == "2024-05-06T07:08:09.000Z"
    )


def test_an_invalid_event_is_not_exported_silently() -> None:
    broken = {**_event("a", "https://a.example/"), "action": "NOPE"}
    with pytest.raises(EpcisSchemaError):
        parse_document(json.dumps(export_document([broken])).encode())


def _deep_event(depth: int) -> dict[str, Any]:
    nested: Any = "x"
    for _ in range(depth):
        nested = {"ex:a": nested}
    return {**_event("ex", "https://ex.example/"), "ex:deep": nested}


def test_deep_nesting_is_refused_before_anything_recurses() -> None:
    deep = _deep_event(500)
    doc = {"@context": [CONTEXT_URL, deep.pop("@context")], **deep}
    with pytest.raises(EpcisSyntaxError, match="nested deeper"):
        parse_document(json.dumps(doc).encode())
    xml = b"<ObjectEvent>" + b"<a>" * 200 + b"</a>" * 200 + b"</ObjectEvent>"
    with pytest.raises(EpcisSyntaxError, match="nested deeper"):
        parse_document(xml)
    [ok] = parse_document(json.dumps(export_document([_deep_event(20)])).encode())
    assert ok.hash_id == EpcisEvent.from_event(_deep_event(20)).hash_id


def test_prefixes_used_in_values_travel_with_the_event() -> None:
    event = {**_event("ex", "https://ex.example/"), "type": "ex:CustomEvent"}
    del event["ex:note"]
    document = {
        "@context": [CONTEXT_URL, {"ex": "https://ex.example/"}],
        **{k: v for k, v in event.items() if k != "@context"},
    }
    [parsed] = parse_document(json.dumps(document).encode())
    assert parsed.event_type == "ex:CustomEvent"
    assert parsed.event["@context"] == {"ex": "https://ex.example/"}


def test_events_are_hashable_values(parsed: dict[str, list[EpcisEvent]]) -> None:
    events = parsed["epcisDocWithVariousEventTypes.jsonld"]
    assert len(set(events)) == len(events)
    again = parse_document(json.dumps(export_document([e.event for e in events])).encode())
    assert set(again) == set(events)


@pytest.mark.parametrize(
    ("prefix", "namespace"),
    [("rail", "https://rail.example/"), ("cbvmda", "urn:epcglobal:cbv:mda:")],
)
def test_export_never_lends_one_events_prefix_to_another(prefix: str, namespace: str) -> None:
    """An event using ``prefix`` undeclared must not pick up another event's declaration."""
    declaring = _event(prefix, namespace)
    undeclared = {k: v for k, v in _event(prefix, namespace).items() if k != "@context"}
    undeclared["eventTime"] = "2021-01-01T00:00:00.000Z"
    events = [declaring, undeclared]
    document = export_document(events)
    assert document["@context"] == [CONTEXT_URL]
    again = parse_document(json.dumps(document).encode())
    assert [e.hash_id for e in again] == [EpcisEvent.from_event(e).hash_id for e in events]
