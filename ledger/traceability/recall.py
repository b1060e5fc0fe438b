"""Recall scope of a lot over the ledger's index, proven like a trace (see :mod:`recall_rules`)."""

from __future__ import annotations

from typing import Any

from ledger.core.errors import NotFound
from ledger.log import Ledger
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.proving import prove, snapshot_size
from ledger.traceability.recall_rules import recall_body
from ledger.traceability.trace import IndexSource
from ledger.verification.trace_answers import RECALL_FORMAT as FORMAT


def recall_scope(ledger: Ledger, lot: str) -> dict[str, Any]:
    """Every end item of ``lot`` and where it is now, with every entry it rests on proven."""
    start = canonical_id_or_self(lot)
    with ledger.reading() as connection:
        as_of = snapshot_size(connection)
        source = IndexSource(connection, as_of)
        if not source.naming([start]):
            raise NotFound(f"no EPCIS event names {lot}", field="lot")
        _, naming, body = recall_body(source, start)
        declarations = set(source.voided_by(naming).values())
        document = {
            "format": FORMAT,
            "origin": ledger.origin,
            "query": {"lot": lot, "canonical_id": start},
            **body,
        }
        return prove(ledger, connection, document, naming | declarations, as_of)
