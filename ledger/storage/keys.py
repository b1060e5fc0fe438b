"""Reading the registry from its tables: the key cache and the key book of a batch.

A key_id is a key's hash and key rows are never deleted or re-bound, so a public key read
once stays true and can be cached across requests; validity (windows, revocation) is never
cached — it is read under the lock for each write, into the :class:`KeyBook` that judges it.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence

from sqlalchemy import Connection, Engine, bindparam, select

from ledger.core.events import Event
from ledger.core.keybook import OPERATOR, REGISTRY_TYPES, KeyBook, KeyState, ParticipantState
from ledger.storage.models import Participant, ParticipantKey

_MAX_CACHED = 100_000


class KeyCache:
    """key_id -> public key, read from the key table on a miss (one query per batch)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def lookup(self, key_ids: Collection[str]) -> dict[str, bytes]:
        with self._lock:
            found = {kid: self._keys[kid] for kid in key_ids if kid in self._keys}
        missing = [kid for kid in key_ids if kid not in found]
        if missing:
            with self._engine.connect() as connection:
                rows = connection.execute(
                    select(ParticipantKey.key_id, ParticipantKey.public_key).where(
                        ParticipantKey.key_id.in_(missing)
                    )
                )
                read = {kid: pk for kid, pk in rows}
            with self._lock:
                if len(self._keys) > _MAX_CACHED:
                    self._keys.clear()
                self._keys.update(read)
            found.update(read)
        return found


# built once: every append loads the registry of its actors and keys
_PARTICIPANTS = select(Participant.__table__).where(
    Participant.id.in_(bindparam("ids", expanding=True))
)
_KEYS = select(ParticipantKey.__table__).where(
    ParticipantKey.key_id.in_(bindparam("ids", expanding=True))
)


def load_book(connection: Connection, ledger_public_key: bytes, events: Sequence[Event]) -> KeyBook:
    """The registry as it stands, for the actors and keys ``events`` name (under the lock)."""
    book = KeyBook.bootstrap(ledger_public_key)
    key_ids = {event.key_id for event in events}
    people = {event.actor for event in events}
    for event in events:
        if event.type in REGISTRY_TYPES:
            people.add(str(event.payload.get("participant_id")))
            key_ids.add(str(event.payload.get("key_id")))
    for row in connection.execute(_PARTICIPANTS, {"ids": sorted(people)}):
        book.participants[row.id] = ParticipantState(
            row.id, row.legal_name, tuple(row.roles), row.country, tuple(row.gs1_prefixes or ())
        )
    for row in connection.execute(_KEYS, {"ids": sorted(key_ids)}):
        if row.participant_id == OPERATOR and row.key_id in book.keys:
            continue
        book.keys[row.key_id] = KeyState(
            row.key_id,
            row.participant_id,
            row.public_key,
            row.valid_from,
            row.valid_until,
            row.revoked_at,
        )
    return book
