"""Deterministic agent keys and fast signing of events.

Every agent's Ed25519 seed is SHA-256 of the simulation seed and the agent's id, so the
same seed always yields the same keys whatever the population size. ``Signer`` keeps the
libsodium key object alive (``ledger.keys.SigningKey`` rebuilds it for every signature)
and signs a fast canonical form, checked against the ledger's own canonical bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from nacl import signing

from ledger.core.canonical import canonicalize
from ledger.core.events import Event, make_body
from ledger.core.keybook import Registration
from ledger.core.keys import SigningKey


def agent_key(seed: int, participant_id: str) -> SigningKey:
    """The signing key of ``participant_id`` in the simulation seeded with ``seed``."""
    digest = hashlib.sha256(f"threeflow-sim/v1/{seed}/{participant_id}".encode()).digest()
    return SigningKey(digest)


def agent_signers(seed: int, registrations: Iterable[Registration]) -> dict[str, SigningKey]:
    """The agents' keys of the simulation seeded with ``seed``, by key id, for the
    registrations whose public key is that agent's (a key registered otherwise is left out:
    its signatures are verified)."""
    found = {}
    for registration in registrations:
        key = agent_key(seed, registration.participant_id)
        if key.public_key == registration.public_key:
            found[key.key_id] = key
    return found


def _fast_canonical(body: Mapping[str, Any]) -> bytes:
    # Equal to RFC 8785 for the ASCII keys, strings, integers and booleans we emit;
    # Event.from_body recomputes the real form and we compare, so a miss costs a re-sign.
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Signer:
    """Signs events for one participant."""

    __slots__ = ("_nacl", "key", "key_id", "participant_id")

    def __init__(self, participant_id: str, key: SigningKey) -> None:
        self.participant_id = participant_id
        self.key = key
        self.key_id = key.key_id
        self._nacl = signing.SigningKey(key.seed)

    @property
    def public_key(self) -> bytes:
        return self.key.public_key

    def event(
        self,
        *,
        event_id: str,
        flow: str,
        type: str,
        payload: Mapping[str, Any],
        occurred_at: datetime,
        subjects: tuple[str, ...] | list[str] = (),
    ) -> Event:
        body = make_body(
            flow=flow,
            type=type,
            actor=self.participant_id,
            key_id=self.key_id,
            payload=payload,
            occurred_at=occurred_at,
            subjects=subjects,
            event_id=event_id,
        )
        signed = _fast_canonical(body)
        event = Event.from_body(body, self._nacl.sign(signed).signature)
        if event.canonical != signed:
            event = Event.from_body(body, self._nacl.sign(canonicalize(body)).signature)
        return event
