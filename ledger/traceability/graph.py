"""Walking item links: which items a trace reaches from one id, in one direction. Pure.

Transformations and lots are followed in the trace's direction (backward: output to inputs,
instance to its lot; forward: input to outputs, lot to its instances). Containment
(aggregation, association) is followed by the rule of nesting whatever the direction: from
an item up to what it was packed into and on up, or from a container down to what it
holds and on down, never up and then down again (that
would pull in every sibling of a case on the same pallet). A business transaction is a
leaf: it is reported, and the other flows' entries naming it are attached, but the trace
does not fan out from an order to every other item on it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from ledger.traceability.index import CONTAINMENT, MAKING, TRANSACTION, Link

ANY, UP, DOWN = "any", "up", "down"
DIRECTIONS = ("backward", "forward", "both")

Fetch = Callable[[Collection[str], bool], list[tuple[Link, int]]]
"""``fetch(items, forward)``: links leaving (``forward``) or reaching ``items``, with seqs."""


@dataclass(slots=True)
class Reach:
    items: set[str] = field(default_factory=set)
    transactions: set[str] = field(default_factory=set)
    links: set[tuple[Link, int]] = field(default_factory=set)


def walk(
    start: str,
    direction: str,
    fetch: Fetch,
    allowed: Callable[[Collection[int]], set[int]],
    max_items: int = 100_000,
) -> Reach:
    """Every item reached from ``start``; only links whose seq ``allowed`` keeps count."""
    if direction == "both":
        back = walk(start, "backward", fetch, allowed, max_items)
        fore = walk(start, "forward", fetch, allowed, max_items)
        return Reach(
            back.items | fore.items,
            back.transactions | fore.transactions,
            back.links | fore.links,
        )
    forward = direction == "forward"
    reach = Reach(items={start})
    seen = {(start, ANY)}
    frontier = {(start, ANY)}
    while frontier and len(reach.items) < max_items:
        items = {item for item, _ in frontier}
        modes: dict[str, set[str]] = {}
        for item, mode in frontier:
            modes.setdefault(item, set()).add(mode)
        outgoing, incoming = fetch(items, True), fetch(items, False)
        ok = allowed({seq for _, seq in (*outgoing, *incoming)})
        nxt: set[tuple[str, str]] = set()
        for link, seq in outgoing:
            if seq not in ok:
                continue
            here = modes.get(link.from_item, set())
            if link.kind == TRANSACTION:
                reach.transactions.add(link.to_item)
                reach.links.add((link, seq))
            elif link.kind in CONTAINMENT and here & {ANY, UP}:
                nxt.add((link.to_item, UP))
                reach.links.add((link, seq))
            elif link.kind in MAKING and forward:
                nxt.add((link.to_item, ANY))
                reach.links.add((link, seq))
        for link, seq in incoming:
            if seq not in ok:
                continue
            here = modes.get(link.to_item, set())
            if link.kind in CONTAINMENT and here & {ANY, DOWN}:
                nxt.add((link.from_item, DOWN))
                reach.links.add((link, seq))
            elif link.kind in MAKING and not forward:
                nxt.add((link.from_item, ANY))
                reach.links.add((link, seq))
        frontier = nxt - seen
        seen |= frontier
        reach.items.update(item for item, _ in frontier)
    return reach
