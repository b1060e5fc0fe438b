"""Offline verification of a trace file against the pinned ledger key. Raises; never a bool.

What is checked, in order: the checkpoint note is signed by the pinned key (under the
file's origin, which the note also names); every entry's leaf hash, recomputed from its
signed event, is included in that checkpoint's tree by its audit path; the key
registrations are operator entries signed by the pinned key; every EPCIS capture is signed
by a key so registered, for the actor it names; every EPCIS hash ID recomputes from the
event carried; every event, voided event and link the trace lists is backed by an entry
that says so. Entries of other flows (orders, invoices) are proven included; their
signatures need the participants' keys, which a trace does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.core.checkpoint import Checkpoint, NoteVerifier, SignedCheckpoint
from ledger.core.errors import LedgerError
from ledger.core.events import Event, parse_timestamp
from ledger.core.hashing import FORMAT_PLAIN, FORMAT_RECORDED, entry_leaf
from ledger.core.keybook import OPERATOR
from ledger.core.keys import key_id_for, parse_public_key, verify_signature
from ledger.core.merkle.verify import verify_inclusion
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.errors import TraceVerificationFailed
from ledger.traceability.index import Link, links

FORMAT = "threeflow-trace/1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class TraceReport:
    tree_size: int
    entries: int
    events: int
    voided: int
    links: int


def verify_trace(document: Any, ledger_public_key: bytes) -> TraceReport:
    """Raise :class:`TraceVerificationFailed` unless ``document`` proves what it lists."""
    try:
        return _verify(document, ledger_public_key)
    except TraceVerificationFailed:
        raise
    except LedgerError as exc:
        raise TraceVerificationFailed(str(exc), field=exc.field) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise TraceVerificationFailed(f"malformed trace file: {exc!r}") from exc


def _fail(detail: str, field: str) -> TraceVerificationFailed:
    return TraceVerificationFailed(detail, field=field)


def _verify(doc: Mapping[str, Any], ledger_key: bytes) -> TraceReport:
    if doc.get("format") != FORMAT:
        raise _fail(f"not a {FORMAT} file", "format")
    head = _checkpoint(doc, ledger_key)
    events = _entries(doc, head)
    keys = _keys(doc, events, ledger_key)
    captures: dict[int, EpcisEvent] = {}
    for seq, event in events.items():
        if event.type != "epcis.captured":
            continue
        key = keys.get(event.key_id)
        if key is None or key[0] != event.actor:
            raise _fail(f"entry {seq} is signed by an unregistered key", f"entries.{seq}")
        verify_signature(key[1], event.canonical, event.signature)
        payload = event.payload
        epcis = EpcisEvent.from_event(payload["epcis"], algorithm=str(payload["hash_algorithm"]))
        if epcis.hash_id != payload["hash_id"]:
            raise _fail(f"entry {seq}: EPCIS hash ID does not recompute", f"entries.{seq}")
        captures[seq] = epcis
    for section in ("events", "voided"):
        for item in doc[section]:
            listed = captures.get(item["seq"])
            if listed is None or listed.hash_id != item["hash_id"]:
                raise _fail(f"{section} lists {item['seq']} without its capture", section)
    live = {item["seq"] for item in doc["events"]}
    for item in doc["voided"]:
        if item["seq"] in live:
            raise _fail(f"entry {item['seq']} is listed both live and voided", "voided")
        declaration = captures.get(item["declared_by"])
        voided = captures[item["seq"]]
        declared = None if declaration is None else declaration.declared_event_id
        if declared is None or declared not in (voided.event_id, voided.hash_id):
            raise _fail(f"entry {item['seq']} is not voided by {item['declared_by']}", "voided")
    for item in doc["links"]:
        asserting = captures.get(item["seq"])
        link = Link(item["from"], item["to"], item["kind"])
        if asserting is None or link not in links(asserting):
            raise _fail(f"entry {item['seq']} does not assert link {link}", "links")
    for bt in doc["business_transactions"]:
        for seq in bt["entries"]:
            if seq not in events or bt["id"] not in events[seq].subjects:
                raise _fail(f"entry {seq} does not name {bt['id']}", "business_transactions")
    return TraceReport(
        head.tree_size, len(events), len(doc["events"]), len(doc["voided"]), len(doc["links"])
    )


def _checkpoint(doc: Mapping[str, Any], ledger_key: bytes) -> Checkpoint:
    signed = SignedCheckpoint.parse(doc["checkpoint"])
    return signed.verify(NoteVerifier.for_key(doc["origin"], ledger_key), origin=doc["origin"])


def _entries(doc: Mapping[str, Any], head: Checkpoint) -> dict[int, Event]:
    out: dict[int, Event] = {}
    for item in doc["entries"]:
        seq = item["seq"]
        if type(seq) is not int or seq in out:
            raise _fail("entry seq missing or repeated", "entries")
        event = Event.from_json(item["event"])
        path = [bytes.fromhex(h) for h in item["audit_path"]]
        fmt, recorded_at = _recording(item, seq)
        leaf = entry_leaf(fmt, event.canonical, event.signature, recorded_at)
        try:
            verify_inclusion(leaf, seq, head.tree_size, path, head.root_hash)
        except LedgerError as exc:
            raise _fail(f"entry {seq} is not in the checkpoint: {exc}", f"entries.{seq}") from exc
        out[seq] = event
    return out


def _recording(item: Mapping[str, Any], seq: int) -> tuple[int, datetime]:
    """The entry's format and, for format 2, its recording time (which its leaf covers)."""
    fmt = item.get("format", FORMAT_PLAIN)
    if fmt == FORMAT_PLAIN:
        return fmt, _EPOCH
    if fmt != FORMAT_RECORDED:
        raise _fail(f"entry {seq} has an unknown format", f"entries.{seq}")
    try:
        return fmt, parse_timestamp(item.get("recorded_at"), field="recorded_at")
    except LedgerError:
        raise _fail(f"entry {seq} has no valid recorded_at", f"entries.{seq}") from None


def _keys(
    doc: Mapping[str, Any], events: Mapping[int, Event], ledger_key: bytes
) -> dict[str, tuple[str, bytes]]:
    """key_id -> (participant, public key), from operator-signed key registrations."""
    keys: dict[str, tuple[str, bytes]] = {key_id_for(ledger_key): (OPERATOR, ledger_key)}
    for seq in doc["keys"]:
        event = events.get(seq)
        if event is None or event.type != "participant.key_added" or event.actor != OPERATOR:
            raise _fail(f"entry {seq} is not a key registration by the operator", "keys")
        verify_signature(ledger_key, event.canonical, event.signature)
        public_key = parse_public_key(str(event.payload["public_key"]))
        keys[key_id_for(public_key)] = (str(event.payload["participant_id"]), public_key)
    return keys
