"""Capture: an EPCIS document becomes notarised ``epcis.captured`` ledger entries, all or none.

Each accepted event becomes one entry signed by the capture notary (see :mod:`notary`), with
the capturing participant in ``payload.captured_by`` and in ``subjects``, next to every
item and business transaction id that fits the ledger's identifier rule (all of them are
in ``epcis_items`` regardless). An event whose hash ID is on the ledger already, or earlier
in the same document, is a duplicate (an error declaration only of another declaration:
CBV hashes it like the event it voids): it is answered with the existing entry and not
written again. The entry id is derived from the hash ID, so two racing captures of the same
event cannot both be written.

The index rows are written right after the ledger batch; should a crash fall between the
two, :func:`reindex` rebuilds them from the ledger.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.errors import Conflict
from ledger.core.events import MAX_SUBJECTS, Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.traceability import store
from ledger.traceability.epcis import EpcisEvent, parse_document
from ledger.traceability.index import capture_key, item_roles
from ledger.traceability.notary import NOTARY, ensure_notary

_NAMESPACE = uuid.UUID("6f0c3b0e-2b1d-5c4e-9a57-7e1c2f3a9b10")
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-/#@+]{0,199}$")


@dataclass(frozen=True, slots=True)
class Captured:
    """One event of a captured document: its hash ID, its entry, whether it was known."""

    hash_id: str
    seq: int
    event_type: str
    duplicate: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "hash_id": self.hash_id,
            "seq": self.seq,
            "event_type": self.event_type,
            "duplicate": self.duplicate,
        }


def entry_id(hash_id: str, error_declaration: bool = False) -> str:
    return str(uuid.uuid5(_NAMESPACE, hash_id + ("#errorDeclaration" if error_declaration else "")))


def subjects_for(event: EpcisEvent, participant: str) -> list[str]:
    ids = sorted({i for i, _ in item_roles(event) if _SUBJECT.match(i)} - {participant})
    return [participant, *ids[: MAX_SUBJECTS - 1]]


def ledger_event(key: SigningKey, event: EpcisEvent, participant: str) -> Event:
    return Event.create(
        key,
        flow="logistics",
        type="epcis.captured",
        actor=NOTARY,
        payload={
            "epcis": dict(event.event),
            "hash_id": event.hash_id,
            "hash_algorithm": event.hash_algorithm,
            "captured_by": participant,
        },
        occurred_at=event.event_time,
        subjects=subjects_for(event, participant),
        event_id=entry_id(event.hash_id, event.is_error_declaration),
    )


def capture(
    ledger: Ledger, data: bytes, content_type: str | None, participant: str
) -> list[Captured]:
    """Capture a whole document (refused whole with reasons if any event is invalid)."""
    return capture_events(ledger, parse_document(data, content_type), participant)


def capture_events(
    ledger: Ledger, events: Sequence[EpcisEvent], participant: str
) -> list[Captured]:
    try:
        return _capture(ledger, events, participant)
    except Conflict:  # a concurrent capture wrote the same hash ID first: look again
        return _capture(ledger, events, participant)


def _capture(ledger: Ledger, events: Sequence[EpcisEvent], participant: str) -> list[Captured]:
    key = ensure_notary(ledger)
    with ledger.engines.read.connect() as connection:
        known = store.seqs_by_key(connection, [capture_key(e) for e in events])
    fresh: dict[tuple[str, bool], EpcisEvent] = {}
    for event in events:
        if capture_key(event) not in known:
            fresh.setdefault(capture_key(event), event)
    seqs = dict(known)
    if fresh:
        batch = [ledger_event(key, e, participant) for e in fresh.values()]
        written = ledger.append_batch(batch)
        triples = []
        for entry, event in zip(written, fresh.values(), strict=True):
            seqs[capture_key(event)] = entry.seq
            triples.append((entry.seq, event, str(entry.event.payload["captured_by"])))
        with ledger.engines.write.begin() as connection:
            store.write_index(connection, triples)
    out, seen = [], set()
    for event in events:
        ck = capture_key(event)
        duplicate = ck in known or ck in seen
        seen.add(ck)
        out.append(Captured(event.hash_id, seqs[ck], event.event_type, duplicate))
    return out


def reindex(ledger: Ledger, batch: int = 1000) -> int:
    """Index every ``epcis.captured`` entry not indexed yet; returns how many were added."""
    added, after = 0, -1
    while True:
        with ledger.engines.read.connect() as connection:
            page = store.captured_entries_after(connection, after, batch)
            have = store.index_rows(connection, [e.seq for e in page])
        if not page:
            return added
        triples = [
            (
                e.seq,
                EpcisEvent.from_event(
                    e.event.payload["epcis"], algorithm=str(e.event.payload["hash_algorithm"])
                ),
                str(e.event.payload.get("captured_by", e.event.actor)),
            )
            for e in page
            if e.seq not in have
        ]
        if triples:
            with ledger.engines.write.begin() as connection:
                store.write_index(connection, triples)
        added += len(triples)
        after = page[-1].seq
