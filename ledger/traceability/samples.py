"""Builders of small EPCIS 2.0 JSON-LD events and documents, for tests, benches and demos."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ledger.traceability.epcis.vocab import CONTEXT_URL


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _base(kind: str, at: datetime, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, "eventTime": stamp(at), "eventTimeZoneOffset": "+00:00"}
    for name, value in fields.items():
        if value is not None:
            event[name] = value
    return event


def _place(value: str | None) -> dict[str, str] | None:
    return {"id": value} if value else None


def _bts(pairs: Sequence[tuple[str, str]]) -> list[dict[str, str]] | None:
    return [{"type": t, "bizTransaction": i} for t, i in pairs] or None


def object_event(
    at: datetime,
    epcs: Sequence[str],
    *,
    action: str = "OBSERVE",
    biz_step: str | None = None,
    disposition: str | None = None,
    read_point: str | None = None,
    biz_location: str | None = None,
    biz_transactions: Sequence[tuple[str, str]] = (),
    quantities: Sequence[tuple[str, float]] = (),
    **extra: Any,
) -> dict[str, Any]:
    return _base(
        "ObjectEvent",
        at,
        epcList=list(epcs),
        quantityList=[{"epcClass": c, "quantity": q} for c, q in quantities] or None,
        action=action,
        bizStep=biz_step,
        disposition=disposition,
        readPoint=_place(read_point),
        bizLocation=_place(biz_location),
        bizTransactionList=_bts(biz_transactions),
        **extra,
    )


def _containment(
    kind: str,
    at: datetime,
    parent: str,
    children: Sequence[str],
    action: str,
    biz_step: str | None,
    biz_location: str | None,
) -> dict[str, Any]:
    return _base(
        kind,
        at,
        parentID=parent,
        childEPCs=list(children),
        action=action,
        bizStep=biz_step,
        bizLocation=_place(biz_location),
    )


def aggregation_event(
    at: datetime,
    parent: str,
    children: Sequence[str],
    *,
    action: str = "ADD",
    biz_step: str | None = "packing",
    biz_location: str | None = None,
) -> dict[str, Any]:
    """An AggregationEvent: ``children`` packed into ``parent`` (ADD) or out of it (DELETE)."""
    return _containment("AggregationEvent", at, parent, children, action, biz_step, biz_location)


def association_event(
    at: datetime,
    parent: str,
    children: Sequence[str],
    *,
    action: str = "ADD",
    biz_step: str | None = "assembling",
    biz_location: str | None = None,
) -> dict[str, Any]:
    """An EPCIS 2.0 AssociationEvent: ``children`` (sensors, parts) tied to ``parent`` (an
    asset) — containment like an aggregation, for things attached rather than packed."""
    return _containment("AssociationEvent", at, parent, children, action, biz_step, biz_location)


def transformation_event(
    at: datetime,
    inputs: Sequence[str],
    outputs: Sequence[str],
    *,
    input_quantities: Sequence[tuple[str, float]] = (),
    biz_step: str | None = "commissioning",
    biz_location: str | None = None,
) -> dict[str, Any]:
    return _base(
        "TransformationEvent",
        at,
        inputEPCList=list(inputs) or None,
        inputQuantityList=[{"epcClass": c, "quantity": q} for c, q in input_quantities] or None,
        outputEPCList=list(outputs),
        bizStep=biz_step,
        bizLocation=_place(biz_location),
    )


def document(events: Sequence[dict[str, Any]], created: datetime) -> dict[str, Any]:
    return {
        "@context": [CONTEXT_URL],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": stamp(created),
        "epcisBody": {"eventList": list(events)},
    }


def document_bytes(events: Sequence[dict[str, Any]], created: datetime) -> bytes:
    return json.dumps(document(events, created)).encode()
