"""EPCIS query parameters, export as an EPCIS document, and the round trip of hash IDs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.traceability.epcis import parse_document
from tests.traceability.conftest import (
    PO,
    PRODUCT,
    SSCC,
    STORE,
    UNITS,
    World,
    capture_json,
    supply_chain,
)


def _seqs(world: World, params: dict[str, Any]) -> list[int]:
    response = world.client.get("/v1/epcis/events", params=params, headers=world.headers)
    assert response.status_code == 200, response.text
    return [e["seq"] for e in response.json()["events"]]


@pytest.fixture
def chain(world: World) -> list[int]:
    events = capture_json(world, supply_chain())["events"]
    assert isinstance(events, list)
    return [e["seq"] for e in events]


@pytest.mark.parametrize(
    ("params", "positions"),
    [
        ({"MATCH_epc": UNITS[0]}, [0, 1]),
        ({"MATCH_epc": "https://id.gs1.org/01/10614141073464/21/1"}, [0, 1]),
        ({"MATCH_parentID": SSCC}, [1]),
        ({"MATCH_inputEPC": UNITS[2]}, [4]),
        ({"MATCH_outputEPC": PRODUCT}, [4]),
        ({"MATCH_anyEPC": SSCC}, [1, 2, 3]),
        ({"EQ_bizStep": "shipping"}, [2]),
        ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:receiving"}, [3]),
        ({"EQ_disposition": "destroyed"}, []),
        ({"EQ_bizLocation": STORE}, [5]),
        ({"EQ_readPoint": STORE}, []),
        ({"GE_eventTime": "2026-01-05T10:00:00Z", "LT_eventTime": "2026-01-05T12:00:00Z"}, [2, 3]),
        ({"GE_eventTime": "2026-01-05T12:00:00+02:00"}, [2, 3, 4, 5]),
        ({"EQ_bizTransaction_po": PO}, [2]),
        ({"EQ_bizTransaction_inv": PO}, []),
        ({"MATCH_anyEPC": SSCC, "EQ_bizStep": "receiving"}, [3]),
        ({"eventType": "TransformationEvent"}, [4]),
    ],
)
def test_query_parameters(
    world: World, chain: list[int], params: dict[str, Any], positions: list[int]
) -> None:
    assert _seqs(world, params) == [chain[p] for p in positions]


def test_pages_follow_the_cursor(world: World, chain: list[int]) -> None:
    first = world.client.get("/v1/epcis/events", params={"limit": 4}, headers=world.headers).json()
    assert [e["seq"] for e in first["events"]] == chain[:4]
    rest = _seqs(world, {"limit": 4, "after": first["next_after"]})
    assert rest == chain[4:]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"MATCH_everything": "x"}, "MATCH_everything"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"LT_eventTime": "2026-01-05T10:00:00"}, "LT_eventTime"),
        ({"limit": "0"}, "limit"),
        ({"EQ_bizStep": ""}, "EQ_bizStep"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(
    world: World, params: dict[str, str], field: str
) -> None:
    response = world.client.get("/v1/epcis/events", params=params, headers=world.headers)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_export_round_trip_keeps_every_hash_id(world: World, shared_dir: Path) -> None:
    folder = shared_dir / "vectors" / "epcis"
    expected = json.loads((folder / "expected_hashes.json").read_text())
    for name in expected:
        kind = "application/xml" if name.endswith(".xml") else "application/json"
        headers = {**world.headers, "Content-Type": kind}
        response = world.client.post(
            "/v1/epcis/capture", content=(folder / name).read_bytes(), headers=headers
        )
        assert response.status_code in (200, 201), name  # 200: an XML twin, nothing new
    listed = world.client.get(
        "/v1/epcis/events", params={"limit": 1000}, headers=world.headers
    ).json()["events"]
    document = world.client.get(
        "/v1/epcis/events", params={"limit": 1000, "format": "document"}, headers=world.headers
    )
    assert document.json()["type"] == "EPCISDocument"
    again = parse_document(document.content, "application/ld+json")
    assert [e.hash_id for e in again] == [e["hash_id"] for e in listed]
    assert len(listed) == len({h for hashes in expected.values() for h in hashes})
    recaptured = world.client.post(
        "/v1/epcis/capture",
        content=document.content,
        headers={**world.headers, "Content-Type": "application/ld+json"},
    ).json()["events"]
    assert all(e["duplicate"] for e in recaptured)
