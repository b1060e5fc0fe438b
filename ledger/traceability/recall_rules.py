"""Recall scope: every end item made from (or packed with) a lot, and where it is now. Pure.

From the lot, the walk goes forward: into what it was made into, into the instances
commissioned in it, up into the cases and pallets that hold it. An end item is an item
reached that nothing further was made from and that holds nothing (a case is where an end
item is, not an end item): an untransformed lot is its own end item, a unit inside a case
is an end item located by the case. Where an item is now is its latest located live event,
or that of a container it was in, counted from the moment it was packed into it. The
ledger computes this over its index, ``verify-trace`` over the proven entries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ledger.traceability.answer import Source
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.graph import Reach, walk
from ledger.traceability.index import CONTAINMENT, MAKING, item_roles
from ledger.traceability.question import summary


def containers(reach: Reach, item: str, times: dict[int, datetime]) -> dict[str, datetime]:
    """Every container ``item`` was packed into (and on up), with when it entered each."""
    held: dict[str, datetime] = {}
    frontier = {item: datetime.min.replace(tzinfo=UTC)}
    while frontier:
        nxt: dict[str, datetime] = {}
        for link, seq in reach.links:
            if link.kind not in CONTAINMENT or link.from_item not in frontier:
                continue
            since = max(frontier[link.from_item], times[seq])
            if link.to_item not in held or since < held[link.to_item]:
                held[link.to_item] = since
                nxt[link.to_item] = since
        frontier = nxt
    return held


def recall_body(source: Source, start: str) -> tuple[Reach, set[int], dict[str, Any]]:
    reach = walk(start, "forward", source.links, source.live)
    made_from = {link.from_item for link, _ in reach.links if link.kind in MAKING}
    holders = {link.to_item for link, _ in reach.links if link.kind in CONTAINMENT}
    ends = sorted(reach.items - made_from - holders)
    naming = source.naming(reach.items)
    events = source.events(source.live(naming))
    times = {s: seen[0].event_time for s, seen in events.items()}
    end_items = []
    for item in ends:
        inside = containers(reach, item, times)
        seen = [
            (seq, event, by, signer)
            for seq, (event, by, signer) in events.items()
            if _names(event, item)
            or any(_names(event, c) and event.event_time >= t for c, t in inside.items())
        ]
        located = [x for x in seen if x[1].biz_location or x[1].read_point]
        last = max(located, key=lambda x: (x[1].event_time, x[0]), default=None)
        end_items.append(
            {
                "id": item,
                "containers": sorted(inside),
                "last_seen": None if last is None else summary(*last),
            }
        )
    body = {"items": sorted(reach.items), "end_items": end_items}
    return reach, naming, body


def _names(event: EpcisEvent, item: str) -> bool:
    return any(i == item for i, _ in item_roles(event))
