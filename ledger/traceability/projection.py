"""The EPCIS index as a projection: written in the same transaction as the entries it indexes.

A crash can no longer fall between a captured entry and its index rows. The projector
refuses a second capture of an event already indexed (same hash ID and declaration key,
see :func:`~ledger.traceability.index.declaration_key`), whoever appends it: through
capture, which answers duplicates without appending, or straight through ``POST /v1/events``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict
from ledger.traceability import store
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.index import capture_key
from ledger.traceability.tables import EpcisEventRow, EpcisItem, EpcisLink


def parse_entry(entry: LedgerEntry) -> EpcisEvent:
    payload = entry.event.payload
    return EpcisEvent.from_event(payload["epcis"], algorithm=str(payload["hash_algorithm"]))


class EpcisIndexProjector:
    name = "traceability.epcis_index"
    version = 2  # 2: lots commissioned in the ilmd are indexed (role and links "lot")
    order = 100
    event_types = frozenset({store.CAPTURED})
    tables = (EpcisEventRow.__table__, EpcisItem.__table__, EpcisLink.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        events = [(entry, parse_entry(entry)) for entry in entries]
        keys = [capture_key(event) for _, event in events]
        known = store.seqs_by_key(connection, keys)
        seen: set[tuple[str, str]] = set()
        for (entry, event), key in zip(events, keys, strict=True):
            if key in known or key in seen:
                raise Conflict(
                    f"EPCIS event {event.hash_id} is captured already"
                    + (f" (entry {known[key]})" if key in known else ""),
                    field="payload.hash_id",
                    seq=entry.seq,
                )
            seen.add(key)
        store.write_index(
            connection,
            [
                (entry.seq, event, str(entry.event.payload.get("captured_by", entry.event.actor)))
                for entry, event in events
            ],
        )


PROJECTOR = EpcisIndexProjector()
