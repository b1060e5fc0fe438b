"""A trace: every event that touched an item upstream or downstream, proven against one checkpoint.

:func:`trace` reads one snapshot of the ledger (``as_of`` entries), computes the answer's
body with :func:`~ledger.traceability.answer.trace_body` over the EPCIS index
(:class:`IndexSource`), attaches the other flows' entries that name a business transaction
reached, and proves it all (:func:`~ledger.traceability.proving.prove`). The question
(item, direction, window) is part of what the ledger signs, and ``verify-trace`` recomputes
the body from the proven entries, so the file answers exactly the question it states.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from ledger.core.errors import NotFound
from ledger.core.events import format_timestamp
from ledger.log import Ledger
from ledger.traceability import store
from ledger.traceability.answer import TraceBody, trace_body
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.index import Link
from ledger.traceability.proving import prove, snapshot_size
from ledger.traceability.question import Seen, Window, captured, check_direction, voids
from ledger.verification.trace import FORMAT

__all__ = ["IndexSource", "Window", "trace", "trace_question"]


class IndexSource:
    """The EPCIS index of one read snapshot, cut at ``as_of`` (nothing newer is seen)."""

    def __init__(self, connection: Connection, as_of: int) -> None:
        self.connection = connection
        self.as_of = as_of
        self.rows: dict[int, Any] = {}
        self._voided: dict[int, int] = {}
        self._events: dict[int, Seen] = {}

    def _load(self, seqs: Collection[int]) -> None:
        missing = [s for s in seqs if s not in self.rows and s < self.as_of]
        if not missing:
            return
        rows = store.index_rows(self.connection, missing)
        self.rows.update(rows)
        plain = [r for r in rows.values() if not r.error_declaration]
        found = store.declarations_for(
            self.connection, {r.event_id for r in plain if r.event_id}, {r.hash_id for r in plain}
        )
        for row in plain:
            for seq, event_id, hash_id in found:
                if seq < self.as_of and voids(event_id, hash_id, row.event_id, row.hash_id):
                    self._voided[row.seq] = seq
                    break

    def links(self, items: Collection[str], forward: bool) -> list[tuple[Link, int]]:
        found = store.links_touching(self.connection, items, forward=forward)
        return [(link, seq) for link, seq in found if seq < self.as_of]

    def naming(self, items: Collection[str]) -> set[int]:
        return {s for s in store.seqs_naming(self.connection, items) if s < self.as_of}

    def live(self, seqs: Collection[int]) -> set[int]:
        self._load(seqs)
        return {
            s
            for s in seqs
            if s in self.rows and s not in self._voided and not self.rows[s].error_declaration
        }

    def voided_by(self, seqs: Collection[int]) -> dict[int, int]:
        self._load(seqs)
        return {s: self._voided[s] for s in seqs if s in self._voided}

    def times(self, seqs: Collection[int]) -> dict[int, datetime]:
        self._load(seqs)
        return {s: self.rows[s].event_time for s in seqs}

    def events(self, seqs: Collection[int]) -> dict[int, Seen]:
        """Parsed from the entries with one read: summaries come from the signed event."""
        wanted = [s for s in seqs if s not in self._events]
        for seq, entry in store.entries(self.connection, wanted).items():
            self._events[seq] = captured(entry.event, recompute=False)
        return {s: self._events[s] for s in seqs}


def trace_question(item: str, direction: str, window: Window) -> dict[str, Any]:
    """The question as the answer states it (and the ledger signs)."""
    return {
        "id": item,
        "canonical_id": canonical_id_or_self(item),
        "direction": check_direction(direction),
        "since": format_timestamp(window.since) if window.since else None,
        "until": format_timestamp(window.until) if window.until else None,
    }


def compute(
    connection: Connection, question: dict[str, Any], window: Window, as_of: int
) -> tuple[IndexSource, TraceBody]:
    source = IndexSource(connection, as_of)
    return source, trace_body(source, question["canonical_id"], question["direction"], window)


def trace(
    ledger: Ledger,
    item: str,
    direction: str = "backward",
    window: Window | None = None,
) -> dict[str, Any]:
    """The trace document of ``item`` (an EPC, LGTIN or SSCC, as URN or Digital Link)."""
    window = window or Window()
    question = trace_question(item, direction, window)
    with ledger.reading() as connection:
        as_of = snapshot_size(connection)
        source, answer = compute(connection, question, window, as_of)
        if not answer.naming:
            raise NotFound(f"no EPCIS event names {item}", field="id")
        related = {
            bt: [s for s in seqs if s < as_of]
            for bt, seqs in store.other_flow_refs(connection, answer.reach.transactions).items()
        }
        body = {
            "format": FORMAT,
            "origin": ledger.origin,
            "query": question,
            **answer.body,
            "business_transactions": [
                {"id": bt, "entries": related.get(bt, [])}
                for bt in answer.body["business_transactions"]
            ],
        }
        declarations = set(source.voided_by(answer.naming).values())
        seqs = answer.naming | declarations | {s for v in related.values() for s in v}
        return prove(ledger, connection, body, seqs, as_of)
