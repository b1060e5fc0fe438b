"""Offline checks shared by every traceability answer file (trace, recall, authenticity).

In order: the checkpoint note is signed by the pinned key (under the file's origin); every
entry's leaf hash, recomputed from its signed event, is included in that checkpoint's tree
by its audit path, and lies below the answer's ``as_of`` (which the tree covers); the key
registrations are operator entries signed by the pinned key; every EPCIS capture is signed
by a key so registered, for the actor it names; every EPCIS hash ID recomputes from the
event carried; and the ledger key signed the answer as it stands, question included.
What each answer then lists is recomputed from these proven entries by its own verifier.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.core.canonical import canonicalize
from ledger.core.checkpoint import Checkpoint, NoteVerifier, SignedCheckpoint
from ledger.core.errors import LedgerError
from ledger.core.events import Event, parse_timestamp
from ledger.core.hashing import FORMAT_PLAIN, FORMAT_RECORDED, entry_leaf
from ledger.core.keybook import OPERATOR
from ledger.core.keys import key_id_for, parse_public_key, verify_signature
from ledger.core.merkle.verify import verify_inclusion
from ledger.traceability.errors import TraceVerificationFailed
from ledger.traceability.question import STATEMENT_DOMAIN, Seen, captured

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Proven:
    """What the envelope proves: the tree head, the entries, and the EPCIS captures among them."""

    head: Checkpoint
    as_of: int
    events: dict[int, Event]
    captures: dict[int, Seen]
    """Seq of each capture -> its event, capturer and signer (whose registered key signed it)."""


def signed_bytes(document: Mapping[str, Any]) -> bytes:
    """What the ledger key signs over an answer: everything but the statement itself.

    The checkpoint note enters as its SHA-256 (its signature line is not ASCII, which would
    send the whole answer down the slow canonicalisation path); the note itself is checked
    on its own against the same key.
    """
    unsigned = {k: v for k, v in document.items() if k != "statement"}
    note = unsigned.get("checkpoint")
    if isinstance(note, str):
        unsigned["checkpoint"] = hashlib.sha256(note.encode()).hexdigest()
    return STATEMENT_DOMAIN + canonicalize(unsigned)


def fail(detail: str, field: str) -> TraceVerificationFailed:
    return TraceVerificationFailed(detail, field=field)


def guarded(check: Any, document: Any, ledger_public_key: bytes) -> Any:
    """Run ``check``; any malformation becomes :class:`TraceVerificationFailed`."""
    try:
        return check(document, ledger_public_key)
    except TraceVerificationFailed:
        raise
    except LedgerError as exc:
        raise TraceVerificationFailed(str(exc), field=exc.field) from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise TraceVerificationFailed(f"malformed answer file: {exc!r}") from exc


def verify_envelope(doc: Mapping[str, Any], ledger_key: bytes, fmt: str) -> Proven:
    if doc.get("format") != fmt:
        raise fail(f"not a {fmt} file", "format")
    signed = SignedCheckpoint.parse(doc["checkpoint"])
    head = signed.verify(NoteVerifier.for_key(doc["origin"], ledger_key), origin=doc["origin"])
    as_of = doc["as_of"]
    if type(as_of) is not int or not 0 <= as_of <= head.tree_size:
        raise fail("as_of must be a tree size the checkpoint covers", "as_of")
    statement = bytes.fromhex(doc["statement"])
    try:
        verify_signature(ledger_key, signed_bytes(doc), statement)
    except LedgerError:
        raise fail("the ledger did not sign this answer to this question", "statement") from None
    events = _entries(doc, head, as_of)
    keys = _keys(doc, events, ledger_key)
    captures: dict[int, Seen] = {}
    for seq, event in events.items():
        if event.type != "epcis.captured":
            continue
        key = keys.get(event.key_id)
        if key is None or key[0] != event.actor:
            raise fail(f"entry {seq} is signed by an unregistered key", f"entries.{seq}")
        verify_signature(key[1], event.canonical, event.signature)
        seen = captured(event)
        if seen[0].hash_id != event.payload["hash_id"]:
            raise fail(f"entry {seq}: EPCIS hash ID does not recompute", f"entries.{seq}")
        captures[seq] = seen
    return Proven(head, as_of, events, captures)


def _entries(doc: Mapping[str, Any], head: Checkpoint, as_of: int) -> dict[int, Event]:
    out: dict[int, Event] = {}
    for item in doc["entries"]:
        seq = item["seq"]
        if type(seq) is not int or seq in out:
            raise fail("entry seq missing or repeated", "entries")
        if seq >= as_of:
            raise fail(f"entry {seq} is newer than the answer's as_of", f"entries.{seq}")
        event = Event.from_json(item["event"])
        path = [bytes.fromhex(h) for h in item["audit_path"]]
        fmt, recorded_at = _recording(item, seq)
        leaf = entry_leaf(fmt, event.canonical, event.signature, recorded_at)
        try:
            verify_inclusion(leaf, seq, head.tree_size, path, head.root_hash)
        except LedgerError as exc:
            raise fail(f"entry {seq} is not in the checkpoint: {exc}", f"entries.{seq}") from exc
        out[seq] = event
    return out


def _recording(item: Mapping[str, Any], seq: int) -> tuple[int, datetime]:
    """The entry's format and, for format 2, its recording time (which its leaf covers)."""
    fmt = item.get("format", FORMAT_PLAIN)
    if fmt == FORMAT_PLAIN:
        return fmt, _EPOCH
    if fmt != FORMAT_RECORDED:
        raise fail(f"entry {seq} has an unknown format", f"entries.{seq}")
    try:
        return fmt, parse_timestamp(item.get("recorded_at"), field="recorded_at")
    except LedgerError:
        raise fail(f"entry {seq} has no valid recorded_at", f"entries.{seq}") from None


def _keys(
    doc: Mapping[str, Any], events: Mapping[int, Event], ledger_key: bytes
) -> dict[str, tuple[str, bytes]]:
    """key_id -> (participant, public key), from operator-signed key registrations."""
    keys: dict[str, tuple[str, bytes]] = {key_id_for(ledger_key): (OPERATOR, ledger_key)}
    for seq in doc["keys"]:
        event = events.get(seq)
        if event is None or event.type != "participant.key_added" or event.actor != OPERATOR:
            raise fail(f"entry {seq} is not a key registration by the operator", "keys")
        verify_signature(ledger_key, event.canonical, event.signature)
        public_key = parse_public_key(str(event.payload["public_key"]))
        keys[key_id_for(public_key)] = (str(event.payload["participant_id"]), public_key)
    return keys
