"""The operator's entries: the participant registry, signed with the ledger key.

Registering a participant, adding and revoking keys are operator-signed ``participant.*``
events; this module builds them. Their ids are derived from what they say and when, not
drawn at random, so replaying the same registrations on the same clock writes the same
bytes (a simulation with a seed gives the same ledger, byte for byte).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ledger.core.canonical import canonicalize
from ledger.core.clock import Clock
from ledger.core.events import Event, format_timestamp
from ledger.core.keybook import OPERATOR, Registration
from ledger.core.keys import SigningKey, key_id_for

_IDS = uuid.UUID("3c1f6d2a-8e0b-5f47-9a1c-2d4e6b8f0a13")


class OperatorEvents:
    def __init__(self, key: SigningKey, origin: str, clock: Clock) -> None:
        self._key = key
        self._origin = origin
        self._clock = clock

    def event(self, etype: str, payload: dict[str, Any], subjects: list[str]) -> Event:
        at = self._clock.now()
        seed = canonicalize(
            {"origin": self._origin, "type": etype, "payload": payload, "at": format_timestamp(at)}
        )
        return Event.create(
            self._key,
            flow="information",
            type=etype,
            actor=OPERATOR,
            payload=payload,
            occurred_at=at,
            subjects=subjects,
            event_id=str(uuid.uuid5(_IDS, seed.decode())),
        )

    def registration(self, r: Registration) -> list[Event]:
        """``participant.registered`` then ``participant.key_added`` for its first key."""
        payload: dict[str, Any] = {
            "participant_id": r.participant_id,
            "legal_name": r.legal_name,
            "roles": list(r.roles),
        }
        if r.country is not None:
            payload["country"] = r.country
        if r.gs1_prefixes:
            payload["gs1_prefixes"] = list(r.gs1_prefixes)
        return [
            self.event("participant.registered", payload, [r.participant_id]),
            self.key_added(r.participant_id, r.public_key, r.valid_from, r.valid_until),
        ]

    def key_added(
        self,
        participant_id: str,
        public_key: bytes,
        valid_from: datetime,
        valid_until: datetime | None,
    ) -> Event:
        payload: dict[str, Any] = {
            "participant_id": participant_id,
            "key_id": key_id_for(public_key),
            "public_key": public_key.hex(),
            "valid_from": format_timestamp(valid_from),
        }
        if valid_until is not None:
            payload["valid_until"] = format_timestamp(valid_until)
        return self.event("participant.key_added", payload, [participant_id])

    def key_revoked(
        self, participant_id: str, key_id: str, reason: str, revoked_at: datetime | None
    ) -> Event:
        payload: dict[str, Any] = {
            "participant_id": participant_id,
            "key_id": key_id,
            "revoked_at": format_timestamp(revoked_at or self._clock.now()),
        }
        if reason:
            payload["reason"] = reason
        return self.event("participant.key_revoked", payload, [participant_id])
