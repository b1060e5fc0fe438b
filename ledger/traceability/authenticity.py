"""The authenticity answer of one item over the ledger's index, proven like a trace.

The verdict is computed by :mod:`authenticity_rules`; the answer carries every event it
rests on with its inclusion proof, and ``verify-trace`` recomputes the verdict from them.
"""

from __future__ import annotations

from typing import Any

from ledger.log import Ledger
from ledger.traceability.authenticity_rules import authenticity_body
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.proving import prove, snapshot_size
from ledger.traceability.trace import IndexSource
from ledger.verification.trace_answers import AUTHENTICITY_FORMAT


def authenticity(ledger: Ledger, item: str) -> dict[str, Any]:
    canonical = canonical_id_or_self(item)
    with ledger.reading() as connection:
        as_of = snapshot_size(connection)
        source = IndexSource(connection, as_of)
        naming = source.naming([canonical])  # an item never captured is answered "unknown"
        _, body = authenticity_body(source, item)
        declarations = set(source.voided_by(naming).values())
        document = {
            "format": AUTHENTICITY_FORMAT,
            "origin": ledger.origin,
            "query": {"id": item, "canonical_id": canonical},
            **body,
        }
        return prove(ledger, connection, document, naming | declarations, as_of)
