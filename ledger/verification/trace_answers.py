"""Offline verification of every traceability answer file: dispatch on its ``format``.

Recall and authenticity answers carry the same envelope as traces
(:mod:`~ledger.verification.trace_envelope`); what they list is then recomputed from the
proven captures by the rules the ledger used and must be identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.traceability.answer import MemorySource
from ledger.traceability.authenticity_rules import authenticity_body
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.errors import TraceVerificationFailed
from ledger.traceability.recall_rules import recall_body
from ledger.verification.trace import FORMAT as TRACE_FORMAT
from ledger.verification.trace import verify_trace
from ledger.verification.trace_envelope import fail, guarded, verify_envelope

RECALL_FORMAT = "threeflow-recall/1"
AUTHENTICITY_FORMAT = "threeflow-authenticity/1"


def verify_recall(document: Any, ledger_public_key: bytes) -> str:
    """Raise unless the recall file proves its end items; a summary of what it proves."""
    summary: str = guarded(_recall, document, ledger_public_key)
    return summary


def _recall(doc: Mapping[str, Any], ledger_key: bytes) -> str:
    proven = verify_envelope(doc, ledger_key, RECALL_FORMAT)
    query = doc["query"]
    if query["canonical_id"] != canonical_id_or_self(query["lot"]):
        raise fail("the query's canonical id is not that of its lot", "query.canonical_id")
    _, _, expected = recall_body(MemorySource(proven.captures), query["canonical_id"])
    for name in ("items", "end_items"):
        if doc[name] != expected[name]:
            raise fail(f"{name} are not those the proven events give this lot", name)
    return (
        f"{len(doc['end_items'])} end items of {query['lot']}, {len(proven.events)} entries "
        f"proven in tree of {proven.head.tree_size} (answer as of {proven.as_of})"
    )


def verify_authenticity(document: Any, ledger_public_key: bytes) -> str:
    """Raise unless the file proves its verdict; a summary naming whose signatures it rests on."""
    summary: str = guarded(_authenticity, document, ledger_public_key)
    return summary


def _authenticity(doc: Mapping[str, Any], ledger_key: bytes) -> str:
    proven = verify_envelope(doc, ledger_key, AUTHENTICITY_FORMAT)
    query = doc["query"]
    if query["canonical_id"] != canonical_id_or_self(query["id"]):
        raise fail("the query's canonical id is not that of its id", "query.canonical_id")
    _, expected = authenticity_body(MemorySource(proven.captures), query["id"])
    for name, value in expected.items():
        if doc[name] != value:
            raise fail(f"{name} is not what the proven events give this item", name)
    return (
        f"verdict {doc['verdict']} for {query['id']} from {len(doc['events'])} events, "
        f"{len(proven.events)} entries proven in tree of {proven.head.tree_size}"
    )


def verify_answer(document: Any, ledger_public_key: bytes) -> str:
    """Verify a trace, recall or authenticity file; a one-line summary of what it proves."""
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == TRACE_FORMAT:
        r = verify_trace(document, ledger_public_key)
        return (
            f"{r.events} events, {r.voided} voided, {r.links} links, {r.entries} entries "
            f"proven in tree of {r.tree_size} (answer as of {r.as_of})"
        )
    if kind == RECALL_FORMAT:
        return verify_recall(document, ledger_public_key)
    if kind == AUTHENTICITY_FORMAT:
        return verify_authenticity(document, ledger_public_key)
    raise TraceVerificationFailed(f"unknown answer format {kind!r}", field="format")
