"""Where simulated events go: the ledger's narrow appending interface, and fakes of it.

``ledger.log.Ledger`` satisfies :class:`LedgerSink` as it is. ``MemorySink`` refuses
what the ledger refuses (unknown type, payload off its schema, an actor the type's
authority rule does not allow given the roles it was registered with, bad signature,
unknown or not-yet-valid key, a time more than the ledger's skew ahead of its clock, an id
reused with other content) so unit tests prove the stream is acceptable without a
database; ``CountingSink`` only counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from ledger.core.clock import Clock
from ledger.core.errors import LedgerError
from ledger.core.event_types import REGISTRY, check_authority
from ledger.core.events import Event
from ledger.core.keybook import Registration
from ledger.core.keys import key_id_for, verify_signature
from simulations.errors import SimulationError

FUTURE_SKEW = timedelta(minutes=5)  # as the ledger's appender allows


class LedgerSink(Protocol):
    """The part of ``ledger.log.Ledger`` the simulation writes through."""

    def register_participant(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
    ) -> object: ...

    def register_participants(self, registrations: Sequence[Registration]) -> object: ...

    def append_batch(self, events: Sequence[Event]) -> Sequence[object]: ...


class SinkRefused(SimulationError):
    """A fake sink refused an event the real ledger would refuse too."""


@dataclass
class MemorySink:
    """Keeps everything in memory and checks each event as the ledger would."""

    clock: Clock
    participants: dict[str, Registration] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    recorded_at: list[datetime] = field(default_factory=list)  # the clock at each append
    batches: int = 0
    _keys: dict[str, Registration] = field(default_factory=dict)
    _ids: dict[str, bytes] = field(default_factory=dict)

    def register_participant(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
    ) -> None:
        if participant_id in self.participants:
            raise SinkRefused("already registered", field=participant_id)
        reg = Registration(participant_id, legal_name, tuple(roles), country, public_key,
                           valid_from)  # fmt: skip
        self.participants[participant_id] = reg
        self._keys[key_id_for(public_key)] = reg

    def register_participants(self, registrations: Sequence[Registration]) -> None:
        for reg in registrations:
            self.register_participant(
                reg.participant_id,
                reg.legal_name,
                list(reg.roles),
                reg.country,
                reg.public_key,
                reg.valid_from,
            )

    def append_batch(self, events: Sequence[Event]) -> list[int]:
        if not events:
            raise SinkRefused("a batch holds at least one event")
        for event in events:
            self._check(event)
        start = len(self.events)
        self.events.extend(events)
        self.recorded_at.extend([self.clock.now()] * len(events))
        self.batches += 1
        return list(range(start, start + len(events)))

    def _check(self, event: Event) -> None:
        REGISTRY.validate(event.flow, event.type, event.payload)
        reg = self._keys.get(event.key_id)
        if reg is None or reg.participant_id != event.actor:
            raise SinkRefused("unknown key for this actor", field=event.id)
        try:
            check_authority(REGISTRY.event_type(event.flow, event.type), event.actor,
                            event.payload, reg.roles)  # fmt: skip
        except LedgerError as exc:
            raise SinkRefused(f"{event.type}: {exc}", field=event.id) from None
        verify_signature(reg.public_key, event.canonical, event.signature)
        now = self.clock.now()
        if event.occurred_at < reg.valid_from or now < reg.valid_from:
            raise SinkRefused("occurs or is recorded before the key is valid", field=event.id)
        if event.occurred_at > now + FUTURE_SKEW:
            raise SinkRefused("lies in the future", field=event.id)
        for subject in event.subjects:
            if subject not in self.participants and not subject.startswith(("sku-", "lot-")):
                raise SinkRefused(f"unknown subject {subject}", field=event.id)
        if self._ids.get(event.id, event.canonical) != event.canonical:
            raise SinkRefused("id reused with other content", field=event.id)
        self._ids[event.id] = event.canonical


@dataclass
class CountingSink:
    """Counts what it is given and keeps nothing: for benchmarks and dry runs."""

    participants: int = 0
    events: int = 0
    batches: int = 0

    def register_participant(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
    ) -> None:
        self.participants += 1

    def register_participants(self, registrations: Sequence[Registration]) -> None:
        self.participants += len(registrations)

    def append_batch(self, events: Sequence[Event]) -> list[int]:
        self.events += len(events)
        self.batches += 1
        return []
