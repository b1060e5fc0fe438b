"""The EPCIS index as a projection: written in the same transaction as the entries it indexes.

A crash can no longer fall between a captured entry and its index rows. The projector
refuses a second capture of an event already indexed (same hash ID and declaration key,
see :func:`~ledger.traceability.index.declaration_key`), whoever appends it: through
capture, which answers duplicates without appending, or straight through ``POST /v1/events``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection

from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict, Forbidden, InvalidEvent
from ledger.traceability import prefixes, store
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.index import capture_key
from ledger.traceability.question import NOTARY
from ledger.traceability.tables import EpcisEventRow, EpcisItem, EpcisLink

_PARSED = "traceability.parsed_by_capture"


@contextmanager
def parsed_by_capture(connection: Connection, events: Mapping[str, EpcisEvent]) -> Iterator[None]:
    """Hand the projector, for appends made inside the block, the events a capture parsed
    and built its notarised entries from (by entry id), so they are not read out again."""
    connection.info[_PARSED] = events
    try:
        yield
    finally:
        connection.info.pop(_PARSED, None)


def parse_entry(entry: LedgerEntry, parsed: Mapping[str, EpcisEvent] | None = None) -> EpcisEvent:
    """The entry's EPCIS event; its hash ID recomputed unless the notary wrote it.

    The notary's entries are built by the capture from the event it hashed a moment
    before; an entry a participant signed and appended itself is hashed again here. A
    notarised entry whose payload holds the very event object the capture parsed (in
    ``parsed``) is that event, with the same hash ID and algorithm: it is used as it is —
    the same value :meth:`EpcisEvent.stored` would build, with what it has already read.
    """
    payload = entry.event.payload
    algorithm = str(payload["hash_algorithm"])
    if entry.event.actor == NOTARY and isinstance(payload.get("hash_id"), str):
        known = parsed.get(entry.event.id) if parsed else None
        if (
            known is not None
            and known.event is payload["epcis"]
            and known.hash_id == payload["hash_id"]
            and known.hash_algorithm == algorithm
        ):
            return known
        return EpcisEvent.stored(payload["epcis"], payload["hash_id"], algorithm)
    event = EpcisEvent.from_event(payload["epcis"], algorithm=algorithm)
    if event.hash_id != payload.get("hash_id"):
        raise InvalidEvent("does not recompute from the event", field="payload.hash_id")
    return event


class EpcisIndexProjector:
    name = "traceability.epcis_index"
    version = 3  # 2: lots commissioned in the ilmd are indexed; 3: DELETE links "unpacking"
    order = 100
    event_types = frozenset({store.CAPTURED})
    tables = (EpcisEventRow.__table__, EpcisItem.__table__, EpcisLink.__table__)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        parsed = connection.info.get(_PARSED)
        events = [(entry, parse_entry(entry, parsed)) for entry in entries]
        for i, (entry, event) in enumerate(events):
            if entry.event.actor != NOTARY:  # signed by the sender: its prefixes, checked here
                actor = entry.event.actor
                if entry.event.payload.get("captured_by", actor) != actor:
                    raise Forbidden(
                        f"{actor} signs captures only as their capturer",
                        field="payload.captured_by",
                        seq=entry.seq,
                    )
                mine = prefixes.registered(connection, actor)
                try:
                    prefixes.check([(i, event)], actor, mine)
                except Forbidden as exc:
                    raise Forbidden(exc.detail, field="payload.epcis", seq=entry.seq) from None
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
