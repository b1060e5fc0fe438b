"""The registry projection: the participants and keys tables, kept in step with the log.

Written in the append's transaction from the key book's final state, after the book has
applied the batch's registry events; verification compares the tables with a replay.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, insert, update

from ledger.core.events import Event
from ledger.core.keybook import KeyBook
from ledger.storage.models import Participant, ParticipantKey


def project_registry(
    connection: Connection, events: Sequence[tuple[int, Event]], book: KeyBook
) -> None:
    for seq, event in events:
        pid = str(event.payload["participant_id"])
        if event.type == "participant.registered":
            person = book.participants[pid]
            connection.execute(
                insert(Participant).values(
                    id=pid,
                    legal_name=person.legal_name,
                    roles=list(person.roles),
                    country=person.country,
                    registered_seq=seq,
                    gs1_prefixes=list(person.gs1_prefixes),
                )
            )
            continue
        state = book.keys[str(event.payload["key_id"])]
        if event.type == "participant.key_added":
            connection.execute(
                insert(ParticipantKey).values(
                    key_id=state.key_id,
                    participant_id=state.participant_id,
                    public_key=state.public_key,
                    valid_from=state.valid_from,
                    valid_until=state.valid_until,
                    revoked_at=None,
                    added_seq=seq,
                )
            )
        else:
            connection.execute(
                update(ParticipantKey)
                .where(ParticipantKey.key_id == state.key_id)
                .values(revoked_at=state.revoked_at)
            )
