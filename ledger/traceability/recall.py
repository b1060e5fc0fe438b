"""Recall scope: every end item made from (or packed with) a lot, and where each was last seen."""

from __future__ import annotations

from typing import Any

from ledger.core.errors import NotFound
from ledger.core.events import format_timestamp
from ledger.log import Ledger
from ledger.traceability import store
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.graph import walk
from ledger.traceability.index import CONTAINMENT, TRANSFORMATION
from ledger.traceability.proving import snapshot_size
from ledger.traceability.trace import IndexSource, Observed, live_events


def end_items(start: str, links: set[tuple[Any, int]], items: set[str]) -> list[str]:
    """Outputs of transformations that fed no further transformation (pure)."""
    inputs = {link.from_item for link, _ in links if link.kind == TRANSFORMATION}
    outputs = {link.to_item for link, _ in links if link.kind == TRANSFORMATION}
    ends = outputs - inputs - {start}
    return sorted(ends & items)


def last_location(observed: list[Observed]) -> dict[str, Any] | None:
    for seen in reversed(observed):
        event = seen.event
        if event.biz_location or event.read_point:
            return {
                "seq": seen.seq,
                "event_time": format_timestamp(event.event_time),
                "biz_location": event.biz_location,
                "read_point": event.read_point,
                "biz_step": event.biz_step,
                "disposition": event.disposition,
            }
    return None


def recall_scope(ledger: Ledger, lot: str) -> dict[str, Any]:
    start = canonical_id_or_self(lot)
    with ledger.reading() as connection:
        source = IndexSource(connection, snapshot_size(connection))
        reach = walk(start, "forward", source.links, source.live)
        if not store.seqs_naming(connection, [start]):
            raise NotFound(f"no EPCIS event names {lot}", field="lot")
        answer = []
        for item in end_items(start, reach.links, reach.items):
            containers = {
                link.to_item
                for link, _ in reach.links
                if link.kind in CONTAINMENT and link.from_item == item
            }
            observed = live_events(connection, {item, *containers})
            answer.append({"id": item, "last_seen": last_location(observed)})
    return {"lot": lot, "canonical_id": start, "end_items": answer}
