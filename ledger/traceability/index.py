"""What to index about one EPCIS event: its filter columns, the ids it names, its item links.

Pure functions of an :class:`~ledger.epcis.EpcisEvent`. Links point in the direction goods
flow: a child into its parent (aggregation, association; a DELETE gives an ``unpacking``
link instead, from each child it lists or from ``*`` when it lists none), an input into an output
(transformation), a lot into the instances commissioned in it (an ObjectEvent ADD whose
``ilmd`` carries a ``lotNumber``: the LGTIN of each SGTIN's GTIN and that lot), an item
into a business transaction (any event with a bizTransactionList).
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import datetime
from itertools import product
from typing import Any
from urllib.parse import quote

from ledger.core.canonical import canonicalize
from ledger.core.events import format_timestamp
from ledger.traceability.epcis import EpcisEvent, vocab
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.epcis.timestamps import to_utc_datetime

AGGREGATION = "aggregation"
ASSOCIATION = "association"
TRANSFORMATION = "transformation"
TRANSACTION = "transaction"
LOT = "lot"
UNPACKING = "unpacking"
"""A child leaving its parent (an Aggregation or Association DELETE): containment ends."""
EVERY_CHILD = "*"
"""The child of an unpacking link when the DELETE lists no children: all of them leave."""
LINK_KINDS = (AGGREGATION, ASSOCIATION, TRANSFORMATION, TRANSACTION, LOT, UNPACKING)
CONTAINMENT = frozenset({AGGREGATION, ASSOCIATION})
MAKING = frozenset({TRANSFORMATION, LOT})
"""Links followed in the trace's direction: what an item was made from, or made into."""

_DL = "https://id.gs1.org/01/"


@dataclass(frozen=True, slots=True)
class IndexRow:
    hash_id: str
    hash_algorithm: str
    event_id: str | None
    event_type: str
    event_time: datetime
    biz_step: str | None
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    declared_event_id: str | None
    error_declaration: bool
    declaration_key: str


@dataclass(frozen=True, slots=True)
class Link:
    from_item: str
    to_item: str
    kind: str


def index_row(event: EpcisEvent) -> IndexRow:
    return IndexRow(
        hash_id=event.hash_id,
        hash_algorithm=event.hash_algorithm,
        event_id=event.event_id,
        event_type=event.event_type,
        event_time=event.event_time,
        biz_step=event.biz_step,
        disposition=event.disposition,
        read_point=event.read_point,
        biz_location=event.biz_location,
        declared_event_id=event.declared_event_id,
        error_declaration=event.is_error_declaration,
        declaration_key=declaration_key(event),
    )


def item_roles(event: EpcisEvent) -> frozenset[tuple[str, str]]:
    """``(id, role)`` for every identifier the event names; roles match the query params.

    Computed once per event: a capture asks for them for the subjects and for the index.
    """
    return event.derived("item_roles", _item_roles)


_ROLE_OF_IDS = (
    ("epcList", "epc"), ("childEPCs", "child"), ("inputEPCList", "input"),
    ("outputEPCList", "output"),
)  # fmt: skip
_ROLE_OF_CLASSES = (
    ("quantityList", "class"), ("childQuantityList", "child"), ("inputQuantityList", "input"),
    ("outputQuantityList", "output"),
)  # fmt: skip


def _item_roles(event: EpcisEvent) -> frozenset[tuple[str, str]]:
    # Only the lists the event has are read: an absent one names nothing (``_as_list`` of
    # None), and most events carry one or two of the dozen places an id may be.
    raw = event.event
    roles: set[tuple[str, str]] = set()
    for key, role in _ROLE_OF_IDS:
        if key in raw:
            roles.update((i, role) for i in event.ids(key))
    for key, role in _ROLE_OF_CLASSES:
        if key in raw:
            roles.update((i, role) for i in event.quantity_classes(key))
    parent = event.parent_id if "parentID" in raw else None
    if parent is not None:
        roles.add((parent, "parent"))
    if "bizTransactionList" in raw:
        roles.update((bt.id, "bt") for bt in event.biz_transactions)
    if "ilmd" in raw:
        roles.update((lot, "lot") for lot in commissioned_lots(event))
    return frozenset(roles)


def _lot_number(ilmd: Any) -> str | None:
    if not isinstance(ilmd, dict):
        return None
    for key, value in ilmd.items():
        if isinstance(key, str) and key.rsplit(":", 1)[-1].rsplit("#", 1)[-1] == "lotNumber":
            return value if isinstance(value, str) and value else None
    return None


def commissioned_lots(event: EpcisEvent) -> dict[str, tuple[str, ...]]:
    """LGTIN -> the SGTINs an ObjectEvent ADD commissions in it (its ``ilmd`` lotNumber)."""
    lot = _lot_number(event.event.get("ilmd"))
    if lot is None or event.event_type != "ObjectEvent" or event.action != "ADD":
        return {}
    out: dict[str, list[str]] = {}
    for epc in event.epc_list:
        if epc.startswith(_DL) and "/21/" in epc:
            gtin = epc[len(_DL) :].split("/", 1)[0]
            lgtin = canonical_id_or_self(f"{_DL}{gtin}/10/{quote(lot, safe='')}")
            out.setdefault(lgtin, []).append(epc)
    for cls in event.quantity_classes("quantityList"):
        if cls.startswith(_DL) and "/" not in cls[len(_DL) :]:
            out.setdefault(canonical_id_or_self(f"{cls}/10/{quote(lot, safe='')}"), [])
    return {k: tuple(v) for k, v in out.items()}


def declaration_key(event: EpcisEvent) -> str:
    """``""`` for an event; for an error declaration, a digest of its eventID and declaration.

    CBV leaves ``eventID`` and ``errorDeclaration`` out of the hash, so a declaration shares
    the hash ID of the event it voids, and so do two different declarations of that event
    (one without eventID, a later one with it, or with another reason): each is a capture.
    """
    if not event.is_error_declaration:
        return ""
    declaration = dict(event.event["errorDeclaration"])
    moment = declaration.get("declarationTime")
    if isinstance(moment, str):  # the XML and JSON twins write one instant differently
        with contextlib.suppress(ValueError, OverflowError):
            declaration["declarationTime"] = format_timestamp(to_utc_datetime(moment))
    reason = declaration.get("reason")
    if isinstance(reason, str):  # a bare term, a CBV URN and a web URI name one reason
        declaration["reason"] = vocab.expand_curie(
            vocab.cbv_urn_to_web(vocab.expand_term(vocab.ERROR_REASON, reason))
        )
    if isinstance(declaration.get("correctiveEventIDs"), list):
        declaration["correctiveEventIDs"] = sorted(map(str, declaration["correctiveEventIDs"]))
    what = {"eventID": event.event_id, "errorDeclaration": declaration}
    return hashlib.sha256(canonicalize(what)).hexdigest()[:32]


def capture_key(event: EpcisEvent) -> tuple[str, str]:
    """What makes a capture a duplicate: the hash ID and the declaration key (see above)."""
    return (event.hash_id, declaration_key(event))


def links(event: EpcisEvent) -> frozenset[Link]:
    """The item links the event asserts (none for an error declaration: it asserts nothing)."""
    return event.derived("links", _links)


def _links(event: EpcisEvent) -> frozenset[Link]:
    if event.is_error_declaration:
        return frozenset()
    raw = event.event
    parent = event.parent_id if "parentID" in raw else None
    children = (*event.child_epcs, *event.child_classes)
    out: set[Link] = set()
    if parent is not None and event.action == "DELETE":  # EPCIS 2.0: unpacking
        out.update(Link(child, parent, UNPACKING) for child in children or (EVERY_CHILD,))
    elif parent is not None and children:  # ADD, or OBSERVE asserting containment
        kind = ASSOCIATION if event.event_type == "AssociationEvent" else AGGREGATION
        out.update(Link(child, parent, kind) for child in children)
    outputs = (*event.output_epcs, *event.output_classes)
    if outputs:
        inputs = (*event.input_epcs, *event.input_classes)
        out.update(Link(i, o, TRANSFORMATION) for i, o in product(inputs, outputs) if i != o)
    if "ilmd" in raw:
        for lot, instances in commissioned_lots(event).items():
            out.update(Link(lot, epc, LOT) for epc in instances)
    if "bizTransactionList" in raw and event.biz_transactions:
        # every item the event is about goes into each business transaction it names
        things = {*event.epc_list, *event.quantity_classes("quantityList"), *children}
        if parent is not None:
            things.add(parent)
        things.update(outputs)
        for bt in event.biz_transactions:
            out.update(Link(thing, bt.id, TRANSACTION) for thing in things)
    return frozenset(out)
