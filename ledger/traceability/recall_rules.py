"""Recall scope: every end item made from (or packed with) a lot, and where it is now. Pure.

From the lot, the walk goes forward: into what it was made into, into the instances
commissioned in it, up into the cases and pallets that hold it. An end item is an item
reached that nothing further was made from and that holds nothing (a case is where an end
item is, not an end item): an untransformed lot is its own end item, a unit inside a case
is an end item located by the case. Where an item is now is its latest located live event,
or that of a container while it was inside (from its packing to its unpacking: after a
DELETE the unit is located by its own events, the case's later moves are not its own). The
ledger computes this over its index, ``verify-trace`` over the proven entries.
"""

from __future__ import annotations

from typing import Any

from ledger.traceability.answer import Source
from ledger.traceability.graph import Reach, walk
from ledger.traceability.index import CONTAINMENT, MAKING, item_roles
from ledger.traceability.question import summary


def recall_body(source: Source, start: str) -> tuple[Reach, set[int], dict[str, Any]]:
    reach = walk(start, "forward", source.links, source.live, source.times)
    made_from = {link.from_item for link, _ in reach.links if link.kind in MAKING}
    holders = {link.to_item for link, _ in reach.links if link.kind in CONTAINMENT}
    ends = sorted(reach.items - made_from - holders)
    naming = source.naming(reach.items)
    end_items = []
    for item in ends:
        up = walk(item, "forward", source.links, source.live, source.times, making=False)
        naming |= source.naming(up.items) | {s for _, s in up.links}
        events = source.events(source.live(source.naming(up.items)))
        seen = [
            (seq, event, by, signer)
            for seq, (event, by, signer) in events.items()
            if any(up.holds(i, event.event_time) for i, _ in item_roles(event))
        ]
        located = [x for x in seen if x[1].biz_location or x[1].read_point]
        last = max(located, key=lambda x: (x[1].event_time, x[0]), default=None)
        end_items.append(
            {
                "id": item,
                "containers": sorted(up.items - {item}),
                "last_seen": None if last is None else summary(*last),
            }
        )
    body = {"items": sorted(reach.items), "end_items": end_items}
    return reach, naming, body
