"""The index's items and links read only the lists an event has: the same as reading all.

:func:`~ledger.traceability.index.item_roles` and :func:`~ledger.traceability.index.links`
skip the places an event leaves out. Here they are compared with the plain reading of every
place (the definitions they replaced, kept below) on every event of the published vectors
(JSON, JSON-LD and XML: all event types, every field) and on sample events of each kind,
error declarations and DELETEs among them, and the entry id with ``uuid.uuid5``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from itertools import product
from pathlib import Path

from ledger.traceability import samples as s
from ledger.traceability.capture import _NAMESPACE, entry_id
from ledger.traceability.epcis import EpcisEvent, parse_document
from ledger.traceability.index import (
    AGGREGATION,
    ASSOCIATION,
    EVERY_CHILD,
    LOT,
    TRANSACTION,
    TRANSFORMATION,
    UNPACKING,
    Link,
    commissioned_lots,
    item_roles,
    links,
)  # fmt: skip

AT = datetime(2025, 1, 2, tzinfo=UTC)
SGTIN = "urn:epc:id:sgtin:4012345.011111.{}"


def reference_roles(event: EpcisEvent) -> frozenset[tuple[str, str]]:
    roles: set[tuple[str, str]] = set()
    roles.update((i, "epc") for i in event.epc_list)
    roles.update((i, "class") for i in event.quantity_classes("quantityList"))
    roles.update((i, "child") for i in (*event.child_epcs, *event.child_classes))
    roles.update((i, "input") for i in (*event.input_epcs, *event.input_classes))
    roles.update((i, "output") for i in (*event.output_epcs, *event.output_classes))
    if event.parent_id is not None:
        roles.add((event.parent_id, "parent"))
    roles.update((bt.id, "bt") for bt in event.biz_transactions)
    roles.update((lot, "lot") for lot in commissioned_lots(event))
    return frozenset(roles)


def reference_links(event: EpcisEvent) -> frozenset[Link]:
    if event.is_error_declaration:
        return frozenset()
    out: set[Link] = set()
    children = (*event.child_epcs, *event.child_classes)
    if event.parent_id is not None and event.action == "DELETE":
        out.update(Link(child, event.parent_id, UNPACKING) for child in children or (EVERY_CHILD,))
    elif event.parent_id is not None and children:
        kind = ASSOCIATION if event.event_type == "AssociationEvent" else AGGREGATION
        out.update(Link(child, event.parent_id, kind) for child in children)
    inputs = (*event.input_epcs, *event.input_classes)
    outputs = (*event.output_epcs, *event.output_classes)
    out.update(Link(i, o, TRANSFORMATION) for i, o in product(inputs, outputs) if i != o)
    for lot, instances in commissioned_lots(event).items():
        out.update(Link(lot, epc, LOT) for epc in instances)
    things = {*event.epc_list, *event.quantity_classes("quantityList"), *children}
    if event.parent_id is not None:
        things.add(event.parent_id)
    things.update(outputs)
    for bt in event.biz_transactions:
        out.update(Link(thing, bt.id, TRANSACTION) for thing in things)
    return frozenset(out)


def sample_events() -> list[EpcisEvent]:
    bts = [("po", "urn:epcglobal:cbv:bt:0614141000005:PO-1")]
    events = [
        s.object_event(
            AT,
            [SGTIN.format(1)],
            action="ADD",
            biz_transactions=bts,
            quantities=[("urn:epc:idpat:sgtin:4012345.011111.*", 5.0)],
            ilmd={"cbvmda:lotNumber": "L1"},
        ),
        s.object_event(AT, [SGTIN.format(2), SGTIN.format(3)], biz_transactions=bts),
        s.object_event(AT, [], quantities=[("urn:epc:class:lgtin:4012345.011111.L9", 2.0)]),
        s.aggregation_event(AT, "urn:epc:id:sscc:0614141.1234567890", [SGTIN.format(4)]),
        s.aggregation_event(AT, "urn:epc:id:sscc:0614141.1234567890", [], action="DELETE"),
        s.association_event(
            AT, "urn:epc:id:grai:4012345.55555.1", [SGTIN.format(5)], action="DELETE"
        ),
        s.transformation_event(
            AT,
            [SGTIN.format(6)],
            [SGTIN.format(7), SGTIN.format(6)],
            input_quantities=[("urn:epc:class:lgtin:4012345.011111.L2", 1.0)],
        ),
    ]
    declared = s.object_event(AT, [SGTIN.format(8)], biz_transactions=bts)
    declared["errorDeclaration"] = {
        "declarationTime": "2025-01-03T00:00:00Z",
        "reason": "incorrect_data",
    }
    events.append(declared)
    return [EpcisEvent.from_event(event) for event in events]


def test_items_and_links_are_those_of_reading_every_place(document_paths: list[Path]) -> None:
    events = sample_events()
    for path in document_paths:
        events.extend(parse_document(path.read_bytes(), None))
    assert len(events) > 50
    assert any(links(e) for e in events)
    assert any(not links(e) for e in events)
    for event in events:
        assert item_roles(event) == reference_roles(event), event.event
        assert links(event) == reference_links(event), event.event


def test_the_entry_id_is_uuid5() -> None:
    for n in range(2000):
        hash_id = f"ni:///sha-256;{n:064x}?ver=CBV2.0"
        for declaration in ("", f"{n:032x}", "é😀"):
            name = hash_id + (f"#errorDeclaration#{declaration}" if declaration else "")
            assert entry_id(hash_id, declaration) == str(uuid.uuid5(_NAMESPACE, name))
