"""Events: the unit the ledger records, as value objects with their canonical bytes.

An event is what its actor signed: ``id, flow, type, actor, key_id, subjects, occurred_at,
payload``. Its canonical bytes (RFC 8785) are the signed message; the signature travels
beside them. Parsing checks shape only; whether the type exists, the payload fits its
schema and the key is valid are the registry's and the key book's business.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from ledger.core.canonical import canonicalize, canonicalize_plain, parse_canonical
from ledger.core.errors import InvalidEvent
from ledger.core.keys import SIGNATURE_SIZE, SigningKey

# Re-exported: the timestamp form is imported from here across the code base.
from ledger.core.timestamps import format_timestamp as format_timestamp
from ledger.core.timestamps import parse_timestamp as parse_timestamp

FLOWS = ("information", "logistics", "finance")
BODY_FIELDS = ("id", "flow", "type", "actor", "key_id", "subjects", "occurred_at", "payload")
_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-/#@+]{0,199}$")
MAX_SUBJECTS = 64


def check_identifier(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidEvent("must be an identifier of 1-200 URL-safe characters", field=field)
    return value


_ALLOWED_FIELDS = frozenset((*BODY_FIELDS, "signature"))
_KEY_ID = re.compile(r"[0-9a-f]{16}")
# Exactly the strings ``s`` with ``str(uuid.UUID(s)) == s``: lower-case 8-4-4-4-12 hex.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_Fields = tuple[str, str, str, str, str, tuple[str, ...], datetime, Mapping[str, Any]]


def _checked_fields(body: Mapping[str, Any], signature: bytes) -> _Fields:
    """Check an event body's shape; return the fields of :class:`Event` before its bytes."""
    if not isinstance(body, Mapping):
        raise InvalidEvent("event must be a JSON object")
    if not _ALLOWED_FIELDS.issuperset(body):
        name = sorted(set(body) - _ALLOWED_FIELDS)[0]
        raise InvalidEvent("unknown field", field=name)
    for name in BODY_FIELDS:
        if name not in body:
            raise InvalidEvent("is required", field=name)
    event_id = body["id"]
    if not isinstance(event_id, str) or not _UUID.fullmatch(event_id):
        raise InvalidEvent("must be a lower-case UUID string", field="id")
    flow = body["flow"]
    if flow not in FLOWS:
        raise InvalidEvent(f"unknown flow; expected one of {', '.join(FLOWS)}", field="flow")
    etype = body["type"]
    if not isinstance(etype, str) or not _TYPE.match(etype):
        raise InvalidEvent("must be a dotted lower-case verb like order.placed", field="type")
    actor = check_identifier(body["actor"], "actor")
    key_id = body["key_id"]
    if not isinstance(key_id, str) or not _KEY_ID.fullmatch(key_id):
        raise InvalidEvent("must be 16 lower-case hex characters", field="key_id")
    subjects = body["subjects"]
    if not isinstance(subjects, list) or len(subjects) > MAX_SUBJECTS:
        raise InvalidEvent(f"must be a list of at most {MAX_SUBJECTS} ids", field="subjects")
    for position, subject in enumerate(subjects):
        check_identifier(subject, f"subjects[{position}]")
    occurred_at = parse_timestamp(body["occurred_at"])
    payload = body["payload"]
    if not isinstance(payload, dict):
        raise InvalidEvent("must be a JSON object", field="payload")
    if not isinstance(signature, bytes) or len(signature) != SIGNATURE_SIZE:
        raise InvalidEvent(f"must be {SIGNATURE_SIZE} bytes", field="signature")
    return (event_id, flow, etype, actor, key_id, tuple(subjects), occurred_at, payload)


@dataclass(frozen=True, slots=True)
class Event:
    """A signed event. Built only through :meth:`from_body`, :meth:`create` or :meth:`from_json`."""

    id: str
    flow: str
    type: str
    actor: str
    key_id: str
    subjects: tuple[str, ...]
    occurred_at: datetime
    payload: Mapping[str, Any]
    canonical: bytes = field(repr=False)
    signature: bytes = field(repr=False)

    @classmethod
    def from_body(cls, body: Mapping[str, Any], signature: bytes, *, plain: bool = False) -> Event:
        """Validate the shape of an event body and bind it to its signature (``plain``: the
        body is what :func:`~ledger.core.canonical.loads_plain` returned, or in it)."""
        fields = _checked_fields(body, signature)
        canonical = (canonicalize_plain if plain else canonicalize)(
            {n: body[n] for n in BODY_FIELDS}
        )
        return cls(*fields, canonical=canonical, signature=signature)

    @classmethod
    def from_json(cls, data: Any, *, plain: bool = False) -> Event:
        """Parse the wire form: the body fields plus ``signature`` in hex."""
        if not isinstance(data, Mapping):
            raise InvalidEvent("event must be a JSON object")
        raw = data.get("signature")
        if not isinstance(raw, str):
            raise InvalidEvent("is required, as hex", field="signature")
        try:
            signature = bytes.fromhex(raw)
        except ValueError as exc:
            raise InvalidEvent("is not hex", field="signature") from exc
        return cls.from_body(data, signature, plain=plain)

    @classmethod
    def from_canonical(cls, canonical: bytes, signature: bytes) -> Event:
        """Rebuild an event from stored bytes, refusing bytes that are not canonical.

        ``parse_canonical`` has proved ``canonical`` is the RFC 8785 form of the body, and
        a valid body holds exactly ``BODY_FIELDS``, so those are the event's canonical
        bytes and need no second encoding. A body that also carries ``signature`` (which
        ``from_body`` tolerates and leaves out of the signed bytes) is not canonical.
        """
        body = parse_canonical(canonical)
        fields = _checked_fields(body, signature)
        if "signature" in body:
            raise InvalidEvent("stored body is not canonical")
        return cls(*fields, canonical=canonical, signature=signature)

    @classmethod
    def create(
        cls,
        key: SigningKey,
        *,
        flow: str,
        type: str,
        actor: str,
        payload: Mapping[str, Any],
        occurred_at: datetime,
        subjects: list[str] | tuple[str, ...] = (),
        event_id: str | None = None,
    ) -> Event:
        """Build and sign an event as its actor would."""
        body = make_body(
            flow=flow,
            type=type,
            actor=actor,
            key_id=key.key_id,
            payload=payload,
            occurred_at=occurred_at,
            subjects=subjects,
            event_id=event_id,
        )
        canonical = canonicalize(body)  # make_body gives exactly BODY_FIELDS: these are the
        # event's canonical bytes, so they are signed and kept without a second encoding
        signature = key.sign(canonical)
        return cls(*_checked_fields(body, signature), canonical=canonical, signature=signature)

    def body(self) -> dict[str, Any]:
        """The signed body exactly as signed (timestamps keep the precision sent).

        Every constructor proved ``canonical`` canonical, so reading it back needs no second
        proof: a plain parse, by orjson (UTF-8, integers within 2**53 - 1: the standard
        parser's values, tested, in half its time) on every entry answered."""
        body: dict[str, Any] = orjson.loads(self.canonical)
        return body

    def to_json(self) -> dict[str, Any]:
        out = self.body()
        out["signature"] = self.signature.hex()
        return out


@dataclass(frozen=True, slots=True)
class Draft:
    """An event's content before it is signed: what :meth:`Event.create` takes besides the key.

    A draft lets the party that signs also prepare the batch (see
    ``Sequencer.prepare_signed``): the signature is made there, so it is known to verify.
    """

    flow: str
    type: str
    actor: str
    payload: Mapping[str, Any]
    occurred_at: datetime
    subjects: list[str] | tuple[str, ...] = ()
    event_id: str | None = None

    def sign(self, key: SigningKey) -> Event:
        return Event.create(
            key,
            flow=self.flow,
            type=self.type,
            actor=self.actor,
            payload=self.payload,
            occurred_at=self.occurred_at,
            subjects=self.subjects,
            event_id=self.event_id,
        )


_SIGNING_PART = 128
_UNSIGNED = bytes(SIGNATURE_SIZE)  # stands in for a signature while the shape is checked


def sign_drafts(key: SigningKey, drafts: Sequence[Draft], pool: Executor | None) -> list[Event]:
    """``[draft.sign(key) for draft in drafts]``, the signing spread over ``pool``'s threads.

    Each body is made, encoded and shape-checked here, in order, so the first refusal is
    the one a loop of :meth:`Event.create` raises (the only check left, the signature's
    length, holds for every signature made); each part's signatures are made on a thread
    (libsodium releases the GIL) while this thread prepares the next part.
    """
    if pool is None or len(drafts) <= _SIGNING_PART:
        return [draft.sign(key) for draft in drafts]
    parts: list[tuple[list[_Fields], list[bytes], Future[list[bytes]]]] = []
    for start in range(0, len(drafts), _SIGNING_PART):
        fields: list[_Fields] = []
        canonicals: list[bytes] = []
        for draft in drafts[start : start + _SIGNING_PART]:
            body = make_body(
                flow=draft.flow,
                type=draft.type,
                actor=draft.actor,
                key_id=key.key_id,
                payload=draft.payload,
                occurred_at=draft.occurred_at,
                subjects=draft.subjects,
                event_id=draft.event_id,
            )
            canonical = canonicalize(body)
            fields.append(_checked_fields(body, _UNSIGNED))
            canonicals.append(canonical)
        parts.append((fields, canonicals, pool.submit(_sign_all, key, canonicals)))
    return [
        Event(*checked, canonical=canonical, signature=signature)
        for fields, canonicals, signing in parts
        for checked, canonical, signature in zip(fields, canonicals, signing.result(), strict=True)
    ]


def _sign_all(key: SigningKey, messages: list[bytes]) -> list[bytes]:
    return [key.sign(message) for message in messages]


def make_body(
    *,
    flow: str,
    type: str,
    actor: str,
    key_id: str,
    payload: Mapping[str, Any],
    occurred_at: datetime,
    subjects: list[str] | tuple[str, ...] = (),
    event_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": event_id or str(uuid.uuid4()),
        "flow": flow,
        "type": type,
        "actor": actor,
        "key_id": key_id,
        "subjects": list(subjects),
        "occurred_at": format_timestamp(occurred_at),
        "payload": dict(payload),
    }
