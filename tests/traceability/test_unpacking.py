"""Unpacking (an AggregationEvent or AssociationEvent DELETE) ends containment: the case's
later events are not the unit's, the unit's later events are not the case's, and recall
locates an unpacked unit by its own events. Server and ``verify-trace`` agree; a tampered
file still fails. Each test runs with both containment events: EPCIS 2.0 treats an
association (a sensor or part tied to an asset) like an aggregation for tracing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ledger.traceability import samples as s
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.errors import TraceVerificationFailed
from ledger.traceability.index import ASSOCIATION, EVERY_CHILD, UNPACKING, links
from ledger.verification.trace import verify_trace
from ledger.verification.trace_answers import verify_answer
from tests.traceability.conftest import (
    FACTORY,
    FARM,
    LEDGER_KEY,
    SO,
    SSCC,
    STORE,
    UNITS,
    World,
    at,
    capture_json,
)

SHOP = "urn:epc:id:sgln:0614141.00004.0"
Containment = Callable[..., dict[str, Any]]


@pytest.fixture(
    params=[s.aggregation_event, s.association_event], ids=["aggregation", "association"]
)
def contain(request: pytest.FixtureRequest) -> Containment:
    """The event that ties children to a parent: an aggregation or an association."""
    maker: Containment = request.param
    return maker


def _chain(world: World, contain: Containment, *, listed: bool) -> dict[str, int]:
    """pack (ADD) -> ship -> unpack UNITS[0] (DELETE) -> ship the case again -> sell the unit."""
    unpack = contain(
        at(3), SSCC, UNITS if not listed else [UNITS[0]], action="DELETE", biz_step="unpacking"
    )
    unpack["bizLocation"] = {"id": FACTORY}
    if not listed:
        del unpack["childEPCs"]  # no childEPCs: every child leaves the case
    events = [
        s.object_event(at(0), UNITS, action="ADD", biz_step="commissioning", biz_location=FARM),
        contain(at(1), SSCC, UNITS, biz_location=FARM),
        s.object_event(at(2), [SSCC], biz_step="shipping", biz_location=FARM),
        unpack,
        s.object_event(
            at(4), [SSCC], biz_step="shipping", biz_location=STORE, biz_transactions=[("inv", SO)]
        ),
        s.object_event(at(5), [UNITS[0]], biz_step="retail_selling", biz_location=SHOP),
    ]
    seqs = [e["seq"] for e in capture_json(world, events)["events"]]  # type: ignore[attr-defined]
    names = ("commission", "pack", "ship", "unpack", "reship", "sell")
    return dict(zip(names, seqs, strict=True))


def _get(world: World, path: str, **params: str) -> dict[str, Any]:
    response = world.client.get(path, params=params, headers=world.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _seqs(answer: dict[str, Any]) -> list[int]:
    return [e["seq"] for e in answer["events"]]


@pytest.mark.parametrize("listed", [True, False], ids=["childEPCs", "all-children"])
@pytest.mark.parametrize("direction", ["forward", "backward", "both"])
def test_a_unit_s_trace_follows_its_case_only_while_packed(
    world: World, contain: Containment, listed: bool, direction: str
) -> None:
    seq = _chain(world, contain, listed=listed)
    trace = _get(world, f"/v1/trace/{UNITS[0]}", direction=direction)
    assert seq["reship"] not in _seqs(trace)  # the case after the unpacking is not the unit's
    assert {seq["pack"], seq["ship"], seq["unpack"]} <= set(_seqs(trace))
    assert SO not in [bt["id"] for bt in trace["business_transactions"]]
    verify_trace(trace, LEDGER_KEY.public_key)


@pytest.mark.parametrize("listed", [True, False], ids=["childEPCs", "all-children"])
def test_a_case_s_trace_does_not_take_the_unpacked_unit_s_later_events(
    world: World, contain: Containment, listed: bool
) -> None:
    seq = _chain(world, contain, listed=listed)
    trace = _get(world, f"/v1/trace/{SSCC}", direction="both")
    assert seq["sell"] not in _seqs(trace)
    assert {seq["commission"], seq["pack"], seq["unpack"], seq["reship"]} <= set(_seqs(trace))
    verify_trace(trace, LEDGER_KEY.public_key)


def test_a_tampered_trace_with_unpacking_still_fails(world: World, contain: Containment) -> None:
    seq = _chain(world, contain, listed=True)
    trace = _get(world, f"/v1/trace/{UNITS[0]}", direction="forward")
    bad = copy.deepcopy(trace)
    bad["events"] = [e for e in bad["events"] if e["seq"] != seq["unpack"]]
    with pytest.raises(TraceVerificationFailed):
        verify_trace(bad, LEDGER_KEY.public_key)
    bad = copy.deepcopy(trace)
    bad["links"] = [link for link in bad["links"] if link["seq"] != seq["unpack"]]
    with pytest.raises(TraceVerificationFailed):
        verify_trace(bad, LEDGER_KEY.public_key)


@pytest.mark.parametrize("listed", [True, False], ids=["childEPCs", "all-children"])
def test_recall_locates_an_unpacked_unit_by_its_own_latest_event(
    world: World, contain: Containment, listed: bool
) -> None:
    _chain(world, contain, listed=listed)
    recall = _get(world, f"/v1/recall/{UNITS[0]}")
    ends = {item["id"]: item for item in recall["end_items"]}
    unit = canonical_id_or_self(UNITS[0])
    assert list(ends) == [unit]
    assert ends[unit]["last_seen"]["biz_location"] == canonical_id_or_self(SHOP)
    verify_answer(recall, LEDGER_KEY.public_key)


def test_recall_locates_a_unit_still_packed_by_its_case(world: World, contain: Containment) -> None:
    _chain(world, contain, listed=True)  # only UNITS[0] left the case
    recall = _get(world, f"/v1/recall/{UNITS[1]}")
    (end,) = recall["end_items"]
    assert end["last_seen"]["biz_location"] == canonical_id_or_self(STORE)
    verify_answer(recall, LEDGER_KEY.public_key)


def test_recall_of_a_unit_unpacked_before_the_case_moves_is_not_at_the_store(
    world: World, contain: Containment
) -> None:
    """All children unpacked, the unit never seen again: its last place is the unpacking."""
    _chain(world, contain, listed=False)
    recall = _get(world, f"/v1/recall/{UNITS[1]}")
    (end,) = recall["end_items"]
    assert end["last_seen"]["biz_location"] == canonical_id_or_self(FACTORY)
    verify_answer(recall, LEDGER_KEY.public_key)


def test_a_delete_indexes_unpacking_links_never_packing_links(contain: Containment) -> None:
    listed = EpcisEvent.from_event(
        contain(at(3), SSCC, [UNITS[0]], action="DELETE", biz_step="unpacking")
    )
    bare = contain(at(3), SSCC, [], action="DELETE", biz_step="unpacking")
    bare.pop("childEPCs", None)
    parent = canonical_id_or_self(SSCC)
    assert {(k.from_item, k.to_item, k.kind) for k in links(listed)} == {
        (canonical_id_or_self(UNITS[0]), parent, UNPACKING)
    }
    assert {(k.from_item, k.to_item, k.kind) for k in links(EpcisEvent.from_event(bare))} == {
        (EVERY_CHILD, parent, UNPACKING)
    }


def test_a_repacked_unit_follows_its_case_again_from_the_repacking(
    world: World, contain: Containment
) -> None:
    unit = [UNITS[0]]
    events = [
        contain(at(1), SSCC, unit, biz_location=FARM),
        contain(at(2), SSCC, unit, action="DELETE", biz_step="unpacking"),
        s.object_event(at(3), [SSCC], biz_step="shipping", biz_location=STORE),
        contain(at(4), SSCC, unit, biz_location=FACTORY),
        s.object_event(at(5), [SSCC], biz_step="shipping", biz_location=SHOP),
    ]
    seqs = [e["seq"] for e in capture_json(world, events)["events"]]  # type: ignore[attr-defined]
    trace = _get(world, f"/v1/trace/{UNITS[0]}", direction="forward")
    assert _seqs(trace) == [seqs[0], seqs[1], seqs[3], seqs[4]]  # not the lone case at 3
    verify_trace(trace, LEDGER_KEY.public_key)
    (end,) = _get(world, f"/v1/recall/{UNITS[0]}")["end_items"]
    assert end["last_seen"]["biz_location"] == canonical_id_or_self(SHOP)


def test_an_association_adds_association_links_not_aggregation_links() -> None:
    added = EpcisEvent.from_event(s.association_event(at(1), SSCC, [UNITS[0]]))
    assert {(k.from_item, k.to_item, k.kind) for k in links(added)} == {
        (canonical_id_or_self(UNITS[0]), canonical_id_or_self(SSCC), ASSOCIATION)
    }
