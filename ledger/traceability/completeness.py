"""The auditor's completeness check: recompute an answer from a copy of the ledger.

Offline verification proves that everything an answer lists is on the ledger and follows
from the proven events; it cannot prove that nothing was left out. This check can, given a
copy of the log: the copy's tree of the checkpoint's size must have the checkpoint's root
(so it holds exactly the entries the checkpoint signed), and the answer recomputed at its
``as_of`` from the copy's index must equal the file's. Run it after ``verify-trace``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from ledger.core.checkpoint import SignedCheckpoint
from ledger.log import Ledger
from ledger.traceability import store
from ledger.traceability.authenticity_rules import authenticity_body
from ledger.traceability.errors import TraceVerificationFailed
from ledger.traceability.proving import snapshot_size
from ledger.traceability.recall_rules import recall_body
from ledger.traceability.trace import IndexSource, compute
from ledger.verification.trace import FORMAT, question_window
from ledger.verification.trace_answers import AUTHENTICITY_FORMAT, RECALL_FORMAT


def incomplete(ledger: Ledger, doc: Mapping[str, Any]) -> list[str]:
    """The sections of ``doc`` (already verified offline) that differ from the copy's answer."""
    head = SignedCheckpoint.parse(doc["checkpoint"]).checkpoint
    as_of = int(doc["as_of"])
    with ledger.reading() as connection:
        if snapshot_size(connection) < head.tree_size:
            raise TraceVerificationFailed(
                f"the copy holds fewer than the checkpoint's {head.tree_size} entries",
                field="db",
            )
        if ledger.proofs.root(head.tree_size, connection) != head.root_hash:
            raise TraceVerificationFailed(
                "the copy's tree at the checkpoint's size has another root", field="db"
            )
        expected = _recompute(connection, doc, as_of)
    return [name for name, value in expected.items() if doc[name] != value]


def _recompute(connection: Connection, doc: Mapping[str, Any], as_of: int) -> dict[str, Any]:
    query = doc["query"]
    if doc.get("format") == RECALL_FORMAT:
        return recall_body(IndexSource(connection, as_of), query["canonical_id"])[2]
    if doc.get("format") == AUTHENTICITY_FORMAT:
        return authenticity_body(IndexSource(connection, as_of), query["canonical_id"])[1]
    if doc.get("format") != FORMAT:
        raise TraceVerificationFailed(f"not a {FORMAT} file", field="format")
    _, answer = compute(connection, query, question_window(query), as_of)
    expected = dict(answer.body)
    related = store.other_flow_refs(connection, answer.reach.transactions)
    expected["business_transactions"] = [
        {"id": bt, "entries": [s for s in related.get(bt, []) if s < as_of]}
        for bt in answer.body["business_transactions"]
    ]
    return expected
