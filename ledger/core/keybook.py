"""Which key may sign for whom, and when: the participant registry as pure state.

The registry lives on the ledger itself as operator-signed ``participant.*`` events. The
appender and every verifier replay those events through :func:`apply_registry_event` into a
:class:`KeyBook`, so an auditor learns each participant key from signed entries and trusts
nothing but the pinned ledger key. Key state is positional: an event is judged against the
registry as it stood just before it in the log, which is what the appender saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ledger.core.errors import InvalidEvent, UnknownKey
from ledger.core.events import Event, parse_timestamp
from ledger.core.keys import key_id_for, parse_public_key

OPERATOR = "operator"
REGISTRY_TYPES = frozenset(
    {"participant.registered", "participant.key_added", "participant.key_revoked"}
)


@dataclass(frozen=True, slots=True)
class KeyState:
    key_id: str
    participant_id: str
    public_key: bytes
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None

    def check(self, actor: str, at: datetime) -> None:
        """Raise :class:`UnknownKey` unless this key may sign for ``actor`` at ``at``."""
        if self.participant_id != actor:
            raise UnknownKey(f"key {self.key_id} does not belong to {actor}", field="key_id")
        if self.revoked_at is not None:
            raise UnknownKey(f"key {self.key_id} was revoked", field="key_id")
        if at < self.valid_from:
            raise UnknownKey(
                f"key {self.key_id} is not valid before {self.valid_from.isoformat()}",
                field="key_id",
            )
        if self.valid_until is not None and at >= self.valid_until:
            raise UnknownKey(
                f"key {self.key_id} expired at {self.valid_until.isoformat()}", field="key_id"
            )


@dataclass(frozen=True, slots=True)
class ParticipantState:
    participant_id: str
    legal_name: str
    roles: tuple[str, ...]
    country: str | None
    gs1_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Registration:
    """What registering a participant takes: who it is and its first key's window."""

    participant_id: str
    legal_name: str
    roles: tuple[str, ...]
    country: str | None
    public_key: bytes
    valid_from: datetime
    valid_until: datetime | None = None
    gs1_prefixes: tuple[str, ...] = ()


class KeyBook:
    """Participants and keys, mutable only through registry events."""

    def __init__(self) -> None:
        self.participants: dict[str, ParticipantState] = {}
        self.keys: dict[str, KeyState] = {}

    @classmethod
    def bootstrap(cls, ledger_public_key: bytes) -> KeyBook:
        """The operator exists from the start, holding the ledger key that verifiers pin."""
        book = cls()
        kid = key_id_for(ledger_public_key)
        book.keys[kid] = KeyState(
            kid, OPERATOR, ledger_public_key, datetime.min.replace(tzinfo=UTC)
        )
        return book

    def key_for(self, event: Event, at: datetime | None = None) -> KeyState:
        """The key the event names, checked for its actor at ``at``.

        ``at`` is the time the ledger recorded the event (format 2); entries of format 1
        were judged at the time they claim, ``occurred_at``, which is the default.
        """
        state = self.keys.get(event.key_id)
        if state is None:
            if event.actor not in self.participants:
                raise UnknownKey(f"unknown actor {event.actor!r}", field="actor")
            raise UnknownKey(f"unknown key {event.key_id}", field="key_id")
        state.check(event.actor, event.occurred_at if at is None else at)
        return state

    def apply(self, event: Event) -> None:
        apply_registry_event(self, event)


def _field(payload: Mapping[str, Any], name: str) -> Any:
    if name not in payload:
        raise InvalidEvent("is required", field=f"payload.{name}")
    return payload[name]


def _text(payload: Mapping[str, Any], name: str) -> str:
    """A required non-empty string field.

    Verifiers replay registry events before their signatures are checked (in batches), so
    every shape a forger could put here must be refused as :class:`InvalidEvent`, never
    crash the replay with a ``KeyError`` or ``TypeError``.
    """
    value = _field(payload, name)
    if not isinstance(value, str) or not value:
        raise InvalidEvent("must be a non-empty string", field=f"payload.{name}")
    return value


def _roles(payload: Mapping[str, Any]) -> tuple[str, ...]:
    roles = _field(payload, "roles")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        raise InvalidEvent("must be a non-empty list of strings", field="payload.roles")
    return tuple(roles)


def _prefixes(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """GS1 company prefixes (6 to 12 digits) the participant may commission goods under."""
    value = payload.get("gs1_prefixes", [])
    if not isinstance(value, list) or not all(
        isinstance(p, str) and p.isdigit() and 6 <= len(p) <= 12 for p in value
    ):
        raise InvalidEvent("must be a list of 6- to 12-digit strings", field="payload.gs1_prefixes")
    return tuple(value)


def apply_registry_event(book: KeyBook, event: Event) -> None:
    """Apply one ``participant.*`` event; refuse one that would make the registry lie."""
    if event.type not in REGISTRY_TYPES:
        return
    if event.actor != OPERATOR:
        raise InvalidEvent("only the ledger operator changes the registry", field="actor")
    payload = event.payload
    pid = _text(payload, "participant_id")
    if event.type == "participant.registered":
        if pid in book.participants:
            raise InvalidEvent(
                f"participant {pid!r} is already registered", field="payload.participant_id"
            )
        country = payload.get("country")
        if country is not None and not isinstance(country, str):
            raise InvalidEvent("must be a string", field="payload.country")
        book.participants[pid] = ParticipantState(
            pid, _text(payload, "legal_name"), _roles(payload), country, _prefixes(payload)
        )
        return
    if pid not in book.participants:
        raise InvalidEvent(f"unknown participant {pid!r}", field="payload.participant_id")
    if event.type == "participant.key_added":
        public_key = parse_public_key(_text(payload, "public_key"), field="payload.public_key")
        kid = _text(payload, "key_id")
        if kid != key_id_for(public_key):
            raise InvalidEvent("key_id does not match the public key", field="payload.key_id")
        until = payload.get("valid_until")
        state = KeyState(
            kid,
            pid,
            public_key,
            parse_timestamp(_field(payload, "valid_from"), field="payload.valid_from"),
            parse_timestamp(until, field="payload.valid_until") if until else None,
        )
        existing = book.keys.get(kid)
        if existing is not None and (existing.participant_id, existing.public_key) != (
            pid,
            public_key,
        ):
            raise InvalidEvent(f"key {kid} is already registered", field="payload.key_id")
        if existing is not None and existing.participant_id == OPERATOR:
            return  # the bootstrap key, now recorded on the ledger
        if existing is not None:
            raise InvalidEvent(f"key {kid} is already registered", field="payload.key_id")
        book.keys[kid] = state
        return
    kid = _text(payload, "key_id")
    existing = book.keys.get(kid)
    if existing is None or existing.participant_id != pid:
        raise InvalidEvent(f"participant {pid!r} has no key {kid}", field="payload.key_id")
    if existing.revoked_at is not None:
        raise InvalidEvent(f"key {kid} is already revoked", field="payload.key_id")
    revoked_at = parse_timestamp(_field(payload, "revoked_at"), field="payload.revoked_at")
    book.keys[kid] = replace(existing, revoked_at=revoked_at)
