"""Capture: an EPCIS document becomes notarised ``epcis.captured`` ledger entries, all or none.

Each accepted event becomes one entry signed by the capture notary (see :mod:`notary`), with
the capturing participant in ``payload.captured_by`` and in ``subjects``, next to every
item and business transaction id that fits the ledger's identifier rule (all of them are
in ``epcis_items`` regardless). An event whose hash ID is on the ledger already, or earlier
in the same document, is a duplicate (an error declaration only of the same declaration,
same eventID and errorDeclaration: CBV hashes every declaration like the event it voids):
it is answered with the existing entry and not written again. The entry id is derived from
the hash ID and declaration key, so two racing captures of the same event cannot both be
written.

The index rows are written by the traceability projection in the same transaction as the
entries (see :mod:`ledger.traceability.projection`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.core.collector import collection_paused
from ledger.core.errors import Forbidden, InvalidEvent
from ledger.core.events import MAX_SUBJECTS, Draft, Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage.batches import Prepared
from ledger.traceability import prefixes, projection, store
from ledger.traceability.epcis import EpcisEvent, parse_document
from ledger.traceability.index import capture_key, item_roles
from ledger.traceability.notary import NOTARY, ensure_notary, notary_key

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


def entry_id(hash_id: str, declaration: str = "") -> str:
    """The entry's event id, from the capture key (a declaration's key names which one)."""
    name = hash_id + (f"#errorDeclaration#{declaration}" if declaration else "")
    return str(uuid.uuid5(_NAMESPACE, name))


def subjects_for(event: EpcisEvent, participant: str) -> list[str]:
    ids = sorted({i for i, _ in item_roles(event) if _SUBJECT.match(i)} - {participant})
    return [participant, *ids[: MAX_SUBJECTS - 1]]


def ledger_draft(event: EpcisEvent, participant: str, *, notarised: bool = True) -> Draft:
    """The unsigned ``epcis.captured`` entry of ``event``: by the notary, or by ``participant``.

    A notarised entry says so in its payload (``notarised: true``): its signature is the
    notary's, attesting only that an API key of ``captured_by`` sent the event.
    """
    # The parsed event itself when it is a plain dict (never changed after parsing: its
    # hash ID was computed from it), so the index can recognise the event it came from.
    epcis = event.event if type(event.event) is dict else dict(event.event)
    payload: dict[str, Any] = {
        "epcis": epcis,
        "hash_id": event.hash_id,
        "hash_algorithm": event.hash_algorithm,
        "captured_by": participant,
    }
    if notarised:
        payload["notarised"] = True
    return Draft(
        flow="logistics",
        type="epcis.captured",
        actor=NOTARY if notarised else participant,
        payload=payload,
        occurred_at=event.event_time,
        subjects=subjects_for(event, participant),
        event_id=entry_id(*capture_key(event)),
    )


def ledger_event(
    key: SigningKey, event: EpcisEvent, participant: str, *, notarised: bool = True
) -> Event:
    """The ``epcis.captured`` entry of ``event`` (see :func:`ledger_draft`), signed by ``key``."""
    return ledger_draft(event, participant, notarised=notarised).sign(key)


def capture(
    ledger: Ledger, data: bytes, content_type: str | None, participant: str
) -> list[Captured]:
    """Capture a whole document (refused whole with reasons if any event is invalid)."""
    return capture_events(ledger, parse_document(data, content_type), participant)


def capture_events(
    ledger: Ledger, events: Sequence[EpcisEvent], participant: str
) -> list[Captured]:
    """Notarise and append the events not captured yet, in one unit of work with their index.

    Signatures are made and checked before the lock is taken; under it the capture learns
    which events are on the ledger already (the lock serialises captures, so two racing
    captures of one event cannot both write it) and appends the others.

    The cyclic collector is paused for the call (see :mod:`ledger.core.collector`): the
    drafts, entries and rows it builds for every event die by refcount when
    :func:`_notarise` returns, inside the pause, so the collector never walks them.
    """
    with collection_paused():
        return _notarise(ledger, events, participant)


def _notarise(ledger: Ledger, events: Sequence[EpcisEvent], participant: str) -> list[Captured]:
    key = notary_key(ledger.key)
    drafts: dict[tuple[str, str], Draft] = {}
    for event in events:
        ck = capture_key(event)
        if ck not in drafts:  # a repeat in the document is answered with the first's entry
            drafts[ck] = ledger_draft(event, participant)
    # The notary's signatures are made in this call: prepared as proven, not verified again.
    prepared = ledger.prepare_signed(key, list(drafts.values()))
    candidates = dict(zip(drafts, prepared.events, strict=True))
    return _append(ledger, events, candidates, prepared, participant, notarised=True)


def capture_signed(ledger: Ledger, entries: Sequence[Event], participant: str) -> list[Captured]:
    """Append captures the participant signed itself (see :func:`sender_events`).

    Each must be an ``epcis.captured`` event by ``participant``, captured by it, not marked
    notarised, whose hash ID recomputes; its signature is checked against the participant's
    registered key like any event's.
    """
    events = []
    candidates: dict[tuple[str, str], Event] = {}
    for i, entry in enumerate(entries):
        payload = entry.payload
        if entry.type != store.CAPTURED or entry.actor != participant:
            raise Forbidden(
                f"only {participant}'s own epcis.captured events", field=f"events[{i}].actor"
            )
        if payload.get("captured_by") != participant or payload.get("notarised"):
            raise InvalidEvent("must be captured by its signer", field=f"events[{i}].payload")
        event = EpcisEvent.from_event(payload["epcis"], algorithm=str(payload["hash_algorithm"]))
        if event.hash_id != payload.get("hash_id"):
            raise InvalidEvent("does not recompute", field=f"events[{i}].payload.hash_id")
        events.append(event)
        candidates.setdefault(capture_key(event), entry)
    prepared = ledger.prepare(list(candidates.values()))
    return _append(ledger, events, candidates, prepared, participant, notarised=False)


def _append(
    ledger: Ledger,
    events: Sequence[EpcisEvent],
    candidates: dict[tuple[str, str], Event],
    prepared: Prepared,
    participant: str,
    *,
    notarised: bool,
) -> list[Captured]:
    """Append ``prepared`` (the entries of ``candidates``, one per capture key of ``events``)."""
    with ledger.unit_of_work() as uow:
        prefixes.check(
            enumerate(events),
            participant,
            prefixes.registered(uow.connection, participant),
        )
        if notarised:
            ensure_notary(ledger, uow)
        known = store.seqs_by_key(uow.connection, list(candidates))
        fresh = {ck: e for ck, e in candidates.items() if ck not in known}
        seqs = dict(known)
        if fresh:
            by_entry = {candidates[capture_key(event)].id: event for event in reversed(events)}
            with projection.parsed_by_capture(uow.connection, by_entry):
                written = uow.append(prepared.only({e.id for e in fresh.values()}))
            by_id = {entry.event.id: entry.seq for entry in written}
            seqs.update({ck: by_id[e.id] for ck, e in fresh.items()})
        uow.commit()
    out, seen = [], set()
    for event in events:
        ck = capture_key(event)
        duplicate = ck in known or ck in seen
        seen.add(ck)
        out.append(Captured(event.hash_id, seqs[ck], event.event_type, duplicate))
    return out


def sender_events(
    key: SigningKey, data: bytes, content_type: str | None, participant: str
) -> list[Event]:
    """A participant's own ``epcis.captured`` entries for a document, signed with its key.

    Run by the participant, where its key is (``threeflow epcis sign``); the events are
    appended through ``POST /v1/events`` like any signed event, so the ledger holds the
    participant's signature over each captured event, and no notary's.
    """
    seen: set[tuple[str, str]] = set()
    out = []
    for event in parse_document(data, content_type):
        if capture_key(event) not in seen:
            seen.add(capture_key(event))
            out.append(ledger_event(key, event, participant, notarised=False))
    return out


SIGNED_CAPTURES = "application/vnd.threeflow.signed-captures+json"
"""The media type of a capture the sender signed: ``{"events": [signed epcis.captured]}``."""


def signed_entries(data: bytes) -> list[Event]:
    """The signed events of a sender-signed capture body (bounded like any JSON body)."""
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise InvalidEvent("not JSON", field="body") from None
    items = body.get("events") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise InvalidEvent("must be a non-empty list of signed events", field="events")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(Event.from_json(item))
        except InvalidEvent as exc:
            exc.field = f"events[{i}]" + (f".{exc.field}" if exc.field else "")
            raise
    return out
