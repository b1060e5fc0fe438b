"""Offline verification of a trace file against the pinned ledger key. Raises; never a bool.

The envelope (:mod:`~ledger.verification.trace_envelope`) proves the checkpoint, every
entry, every capture's signature and the ledger's signature over the answer and its
question. Then the answer itself is recomputed from the proven captures with the rules
the ledger used (:func:`~ledger.traceability.answer.trace_body`): the question's canonical
id, the items reached through the links the live events carry, every event and voided
event inside the window with every printed field, every link — all must equal what the
file lists. Each business transaction's other-flow entries must be proven and name it;
their signatures need the participants' keys, which a trace does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ledger.core.events import parse_timestamp
from ledger.traceability.answer import MemorySource, trace_body
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.question import Window, check_direction
from ledger.verification.trace_envelope import fail, guarded, verify_envelope

FORMAT = "threeflow-trace/2"


@dataclass(frozen=True, slots=True)
class TraceReport:
    tree_size: int
    as_of: int
    entries: int
    events: int
    voided: int
    links: int


def verify_trace(document: Any, ledger_public_key: bytes) -> TraceReport:
    """Raise :class:`TraceVerificationFailed` unless ``document`` proves what it lists."""
    report: TraceReport = guarded(_verify, document, ledger_public_key)
    return report


def question_window(query: Mapping[str, Any]) -> Window:
    def instant(name: str) -> Any:
        value = query[name]
        return None if value is None else parse_timestamp(value, field=f"query.{name}")

    return Window(instant("since"), instant("until"))


def _verify(doc: Mapping[str, Any], ledger_key: bytes) -> TraceReport:
    proven = verify_envelope(doc, ledger_key, FORMAT)
    query = doc["query"]
    if query["canonical_id"] != canonical_id_or_self(query["id"]):
        raise fail("the query's canonical id is not that of its id", "query.canonical_id")
    direction = check_direction(query["direction"])
    expected = trace_body(
        MemorySource(proven.captures), query["canonical_id"], direction, question_window(query)
    ).body
    for name in ("items", "links", "events", "voided"):
        if doc[name] != expected[name]:
            raise fail(f"{name} are not those the proven events give this question", name)
    listed = [bt["id"] for bt in doc["business_transactions"]]
    if listed != expected["business_transactions"]:
        raise fail("business transactions are not those reached", "business_transactions")
    for bt in doc["business_transactions"]:
        for seq in bt["entries"]:
            if seq not in proven.events or bt["id"] not in proven.events[seq].subjects:
                raise fail(f"entry {seq} does not name {bt['id']}", "business_transactions")
    return TraceReport(
        proven.head.tree_size,
        proven.as_of,
        len(proven.events),
        len(doc["events"]),
        len(doc["voided"]),
        len(doc["links"]),
    )
