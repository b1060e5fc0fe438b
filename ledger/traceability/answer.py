"""The body of a trace answer, computed from any source of EPCIS events. Pure.

The ledger answers from its index (:class:`~ledger.traceability.trace.IndexSource`);
``verify-trace`` recomputes the same body from the proven entries of the file
(:class:`MemorySource`) and requires it to be identical, field for field. So an answer
whose events, summaries, items or links were edited, or that was relabelled as the trace
of another item, direction or window, no longer verifies.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.graph import Reach, walk
from ledger.traceability.index import Link, item_roles, links
from ledger.traceability.question import Seen, Window, event_voids, summary


class Source(Protocol):
    """The EPCIS events an answer may use (those below its ``as_of`` tree size)."""

    def links(self, items: Collection[str], forward: bool) -> list[tuple[Link, int]]: ...

    def naming(self, items: Collection[str]) -> set[int]: ...

    def live(self, seqs: Collection[int]) -> set[int]:
        """Seqs that are neither error declarations nor voided by one."""
        ...

    def voided_by(self, seqs: Collection[int]) -> dict[int, int]:
        """Voided seq -> seq of the (first) declaration that voids it."""
        ...

    def events(self, seqs: Collection[int]) -> dict[int, Seen]:
        """The proven event, its capturer and signer, read from the entry (not the index)."""
        ...

    def times(self, seqs: Collection[int]) -> dict[int, datetime]:
        """The eventTime of each seq's EPCIS event (containment spans are built from them)."""
        ...


@dataclass(frozen=True, slots=True)
class TraceBody:
    reach: Reach
    naming: set[int]
    body: dict[str, Any]


def trace_body(source: Source, start: str, direction: str, window: Window) -> TraceBody:
    """Walk every live link (whenever it happened), then list the events inside the window.

    An event belongs to the trace when it names a reached item at a moment that item is part
    of it (a case only while the traced unit was inside: :mod:`~ledger.traceability.graph`).
    """
    reach = walk(start, direction, source.links, source.live, source.times)
    naming = source.naming(reach.items)
    events = source.events(naming)
    naming = {s for s in naming if belongs(reach, events[s][0])}
    live = source.live(naming)
    voided = source.voided_by(naming)
    inside = {s for s in naming if window.holds(events[s][0].event_time)}

    def order(seq: int) -> tuple[Any, int]:
        return (events[seq][0].event_time, seq)

    body = {
        "items": sorted(reach.items),
        "links": [
            {"from": link.from_item, "to": link.to_item, "kind": link.kind, "seq": seq}
            for link, seq in sorted(
                reach.links, key=lambda p: (p[1], p[0].kind, p[0].from_item, p[0].to_item)
            )
        ],
        "events": [summary(s, *events[s]) for s in sorted(live & inside, key=order)],
        "voided": [
            {**summary(s, *events[s]), "declared_by": voided[s]}
            for s in sorted(set(voided) & inside, key=order)
        ],
        "business_transactions": sorted(reach.transactions),
    }
    return TraceBody(reach, naming, body)


def belongs(reach: Reach, event: EpcisEvent) -> bool:
    """Whether ``event`` names an item of ``reach`` within one of that item's spans."""
    return any(reach.holds(item, event.event_time) for item, _ in item_roles(event))


class MemorySource:
    """A source over captures held in memory (the verifier's: a file's proven entries)."""

    def __init__(self, captures: Mapping[int, Seen]) -> None:
        self.captures = dict(captures)
        self._from: dict[str, list[tuple[Link, int]]] = {}
        self._to: dict[str, list[tuple[Link, int]]] = {}
        self._naming: dict[str, set[int]] = {}
        for seq, (event, _, _) in self.captures.items():
            for link in links(event):
                self._from.setdefault(link.from_item, []).append((link, seq))
                self._to.setdefault(link.to_item, []).append((link, seq))
            for item, _role in item_roles(event):
                self._naming.setdefault(item, set()).add(seq)
        declarations = [
            (s, e) for s, (e, _, _) in sorted(self.captures.items()) if e.is_error_declaration
        ]
        self._voided: dict[int, int] = {}
        for seq, (event, _, _) in self.captures.items():
            for by, declaration in declarations:
                if event_voids(declaration, event):
                    self._voided[seq] = by
                    break

    def links(self, items: Collection[str], forward: bool) -> list[tuple[Link, int]]:
        table = self._from if forward else self._to
        return [pair for item in items for pair in table.get(item, ())]

    def naming(self, items: Collection[str]) -> set[int]:
        return {seq for item in items for seq in self._naming.get(item, ())}

    def live(self, seqs: Collection[int]) -> set[int]:
        return {
            s
            for s in seqs
            if s in self.captures
            and s not in self._voided
            and not self.captures[s][0].is_error_declaration
        }

    def voided_by(self, seqs: Collection[int]) -> dict[int, int]:
        return {s: self._voided[s] for s in seqs if s in self._voided}

    def events(self, seqs: Collection[int]) -> dict[int, Seen]:
        return {s: self.captures[s] for s in seqs}

    def times(self, seqs: Collection[int]) -> dict[int, datetime]:
        return {s: self.captures[s][0].event_time for s in seqs}
