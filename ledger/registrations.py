"""The operator's registry entries, written through a :class:`~ledger.log.Ledger`:
participants registered (one or many at once), keys added and revoked.

Each call is one unit of work of operator-signed events (the registry's types are the
operator's alone); the ledger provides the signing key, preparation and units of work.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime

from ledger.core.entry import Appended
from ledger.core.errors import InvalidEvent
from ledger.core.events import Event
from ledger.core.keybook import Registration
from ledger.operator import OperatorEvents
from ledger.storage.batches import MAX_BATCH, Prepared
from ledger.storage.unit_of_work import UnitOfWork


class Registrations:
    """The registry's writes; :class:`~ledger.log.Ledger` provides the rest."""

    @property
    @abstractmethod
    def operator(self) -> OperatorEvents: ...

    @abstractmethod
    def prepare(self, events: Sequence[Event], *, operator: bool = False) -> Prepared: ...

    @abstractmethod
    def unit_of_work(self, *, lock: bool = True) -> UnitOfWork: ...

    def register_participant(
        self,
        participant_id: str,
        legal_name: str,
        roles: list[str],
        country: str | None,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None = None,
        gs1_prefixes: Sequence[str] = (),
    ) -> list[Appended]:
        """Register a participant and its first key, as two operator-signed entries."""
        r = Registration(participant_id, legal_name, tuple(roles), country, public_key,
                         valid_from, valid_until, tuple(gs1_prefixes))  # fmt: skip
        return self._operator_append(self.operator.registration(r))

    def register_participants(self, registrations: Sequence[Registration]) -> list[Appended]:
        """Register many participants in one atomic batch (two entries each)."""
        if len(registrations) * 2 > MAX_BATCH:
            raise InvalidEvent(
                f"at most {MAX_BATCH // 2} participants per call", field="registrations"
            )
        operator = self.operator
        return self._operator_append([e for r in registrations for e in operator.registration(r)])

    def add_key(
        self,
        participant_id: str,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None = None,
    ) -> Appended:
        event = self.operator.key_added(participant_id, public_key, valid_from, valid_until)
        return self._operator_append([event])[0]

    def revoke_key(
        self, participant_id: str, key_id: str, reason: str = "", revoked_at: datetime | None = None
    ) -> Appended:
        event = self.operator.key_revoked(participant_id, key_id, reason, revoked_at)
        return self._operator_append([event])[0]

    def _operator_append(self, events: list[Event]) -> list[Appended]:
        prepared = self.prepare(events, operator=True)
        with self.unit_of_work() as uow:
            entries = uow.append(prepared)
            uow.commit()
        return entries
