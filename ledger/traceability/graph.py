"""Walking item links: which items a trace reaches from one id, in one direction, and when. Pure.

Transformations and lots are followed in the trace's direction (backward: output to inputs,
instance to its lot; forward: input to outputs, lot to its instances). Containment
(aggregation, association) is followed by the rule of nesting whatever the direction: from
an item up to what it was packed into and on up, or from a container down to what it
holds and on down, never up and then down again (that
would pull in every sibling of a case on the same pallet). A business transaction is a
leaf: it is reported, and the other flows' entries naming it are attached, but the trace
does not fan out from an order to every other item on it.

Containment has a time span (EPCIS 2.0): a child is inside its parent from the ADD (or an
OBSERVE) to the first DELETE that removes it (listing it, or listing no children at all).
Each item reached carries the spans in which it is part of the trace: a container reached
going up counts only while the item was inside it, a child reached going down only until
it left; links and events of an item outside its spans are not followed or listed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ledger.traceability.index import (
    CONTAINMENT,
    EVERY_CHILD,
    MAKING,
    TRANSACTION,
    UNPACKING,
    Link,
)

ANY, UP, DOWN = "any", "up", "down"
DIRECTIONS = ("backward", "forward", "both")
EARLIEST, LATEST = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
ALWAYS = (EARLIEST, LATEST)

Span = tuple[datetime, datetime]
"""``[start, end]``, both inclusive: an unpacking's own event still names the parent."""

Fetch = Callable[[Collection[str], bool], list[tuple[Link, int]]]
"""``fetch(items, forward)``: links leaving (``forward``) or reaching ``items``, with seqs."""

Times = Callable[[Collection[int]], dict[int, datetime]]
"""``times(seqs)``: the eventTime of each entry's EPCIS event."""


@dataclass(slots=True)
class Reach:
    items: set[str] = field(default_factory=set)
    transactions: set[str] = field(default_factory=set)
    links: set[tuple[Link, int]] = field(default_factory=set)
    spans: dict[str, list[Span]] = field(default_factory=dict)

    def holds(self, item: str, moment: datetime) -> bool:
        """Whether an event of ``item`` at ``moment`` belongs to the trace."""
        return any(a <= moment <= b for a, b in self.spans.get(item, ()))


def _add_span(spans: list[Span], span: Span) -> bool:
    if any(a <= span[0] and span[1] <= b for a, b in spans):
        return False
    spans.append(span)
    return True


def containment(
    adds: Iterable[tuple[Link, int]],
    deletes: Iterable[tuple[Link, int]],
    times: dict[int, datetime],
) -> dict[tuple[str, str], list[Span]]:
    """``(child, parent)`` -> the spans the child was inside: each ADD to the next DELETE."""
    ends: dict[tuple[str, str], list[datetime]] = {}
    for link, seq in deletes:
        ends.setdefault((link.from_item, link.to_item), []).append(times[seq])
    out: dict[tuple[str, str], list[Span]] = {}
    for link, seq in adds:
        start = times[seq]
        later = [
            t
            for key in ((link.from_item, link.to_item), (EVERY_CHILD, link.to_item))
            for t in ends.get(key, ())
            if t >= start
        ]
        out.setdefault((link.from_item, link.to_item), []).append(
            (start, min(later, default=LATEST))
        )
    return out


def walk(
    start: str,
    direction: str,
    fetch: Fetch,
    allowed: Callable[[Collection[int]], set[int]],
    times: Times,
    max_items: int = 100_000,
    making: bool = True,
) -> Reach:
    """Every item reached from ``start``; only links whose seq ``allowed`` keeps count.

    ``making=False`` follows containment only (where an item was packed, and when).
    """
    if direction == "both":
        back = walk(start, "backward", fetch, allowed, times, max_items, making)
        fore = walk(start, "forward", fetch, allowed, times, max_items, making)
        spans = {k: list(v) for k, v in back.spans.items()}
        for item, more in fore.spans.items():
            for span in more:
                _add_span(spans.setdefault(item, []), span)
        return Reach(
            back.items | fore.items,
            back.transactions | fore.transactions,
            back.links | fore.links,
            spans,
        )
    forward = direction == "forward"
    reach = Reach(items={start}, spans={start: [ALWAYS]})
    modes: dict[tuple[str, str], list[Span]] = {(start, ANY): [ALWAYS]}
    frontier: list[tuple[str, str, Span]] = [(start, ANY, ALWAYS)]
    while frontier and len(reach.items) < max_items:
        nxt = _level(reach, modes, frontier, forward, making, fetch, allowed, times)
        frontier = nxt
        for item, _, span in nxt:
            reach.items.add(item)
            _add_span(reach.spans.setdefault(item, []), span)
    return reach


Frontier = list[tuple[str, str, Span]]


def _level(
    reach: Reach,
    modes: dict[tuple[str, str], list[Span]],
    frontier: Frontier,
    forward: bool,
    making: bool,
    fetch: Fetch,
    allowed: Callable[[Collection[int]], set[int]],
    times: Times,
) -> Frontier:
    """One step of the walk: what the frontier's live links reach, and in which spans."""
    items = {item for item, _, _ in frontier}
    outgoing, incoming = fetch(items, True), fetch(items, False)
    parents = {link.to_item for link, _ in outgoing if link.kind in CONTAINMENT}
    unpacking = [p for p in (*incoming, *fetch(parents - items, False)) if p[0].kind == UNPACKING]
    ok = allowed({seq for _, seq in (*outgoing, *incoming, *unpacking)})
    deletes = [p for p in unpacking if p[1] in ok]
    leaving = [p for p in outgoing if p[1] in ok]
    arriving = [p for p in incoming if p[1] in ok]
    at = times({seq for _, seq in (*leaving, *arriving, *deletes)})
    packed = [p for p in (*leaving, *arriving) if p[0].kind in CONTAINMENT]
    inside = containment(packed, deletes, at)
    by_from: dict[str, list[tuple[Link, int]]] = {}
    by_to: dict[str, list[tuple[Link, int]]] = {}
    for pair in leaving:
        by_from.setdefault(pair[0].from_item, []).append(pair)
    for pair in arriving:
        by_to.setdefault(pair[0].to_item, []).append(pair)
    nxt: list[tuple[str, str, Span]] = []

    def reached(item: str, mode: str, span: Span, link: Link, seq: int) -> None:
        reach.links.add((link, seq))
        if _add_span(modes.setdefault((item, mode), []), span):
            nxt.append((item, mode, span))

    def contained(link: Link, a: datetime, b: datetime) -> list[Span]:
        """The parts of ``[a, b]`` the link's child spent inside; its unpackings noted."""
        out = []
        for s, e in inside[(link.from_item, link.to_item)]:
            if max(a, s) <= min(b, e):
                out.append((max(a, s), min(b, e)))
                reach.links.update(
                    d
                    for d in deletes
                    if d[0].to_item == link.to_item
                    and d[0].from_item in (link.from_item, EVERY_CHILD)
                    and at[d[1]] == e
                )
        return out

    for item, mode, (a, b) in frontier:
        for link, seq in by_from.get(item, ()):
            if link.kind in CONTAINMENT:
                if mode in (ANY, UP):
                    for span in contained(link, a, b):
                        reached(link.to_item, UP, span, link, seq)
            elif not a <= at[seq] <= b:
                continue
            elif link.kind == TRANSACTION:
                reach.transactions.add(link.to_item)
                reach.links.add((link, seq))
            elif making and link.kind in MAKING and forward:
                reached(link.to_item, ANY, ALWAYS, link, seq)
        for link, seq in by_to.get(item, ()):
            if link.kind in CONTAINMENT:
                if mode in (ANY, DOWN):
                    for _, end in contained(link, a, b):
                        reached(link.from_item, DOWN, (EARLIEST, end), link, seq)
            elif making and link.kind in MAKING and not forward and a <= at[seq] <= b:
                reached(link.from_item, ANY, ALWAYS, link, seq)
    return nxt
