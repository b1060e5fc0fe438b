"""Onboarding and key management, as the operator's service performs them for HTTP and CLI.

Registering a participant, adding and revoking keys are operator-signed registry entries;
a participant's own rotation request (signed by a key it holds now, see
:mod:`ledger.core.rotation`) is checked against the registry under the sequencer lock and
turned into the same entries, in one unit of work: the new key and the revocations land
together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from ledger.core.entry import Appended
from ledger.core.errors import Forbidden, InvalidEvent, NotFound
from ledger.core.keybook import KeyState
from ledger.core.keys import parse_public_key
from ledger.core.rotation import RotationRequest
from ledger.log import Ledger
from ledger.storage.models import ParticipantKey


def register(
    ledger: Ledger,
    participant_id: str,
    legal_name: str,
    roles: Sequence[str],
    country: str | None,
    public_key: str,
    valid_from: datetime | None,
    gs1_prefixes: Sequence[str] = (),
) -> list[Appended]:
    key = parse_public_key(public_key, field="public_key")
    return ledger.register_participant(
        participant_id, legal_name, list(roles), country, key,
        valid_from or ledger.clock.now(), gs1_prefixes=gs1_prefixes,
    )  # fmt: skip


def add_key(
    ledger: Ledger,
    participant_id: str,
    public_key: str,
    valid_from: datetime | None,
    valid_until: datetime | None,
) -> Appended:
    key = parse_public_key(public_key, field="public_key")
    return ledger.add_key(participant_id, key, valid_from or ledger.clock.now(), valid_until)


def rotate(ledger: Ledger, caller: str, request: RotationRequest) -> list[Appended]:
    """The participant's new key, and its revocations, as operator entries, atomically."""
    if request.participant_id != caller:
        raise Forbidden("a participant rotates only its own keys", field="participant_id")
    with ledger.unit_of_work() as uow:
        now = ledger.clock.now()
        rows = {
            row.key_id: row
            for row in uow.connection.execute(
                select(ParticipantKey.__table__).where(ParticipantKey.participant_id == caller)
            )
        }
        signer = rows.get(request.key_id)
        if signer is None:
            raise NotFound(f"{caller} has no key {request.key_id}", field="key_id")
        KeyState(
            signer.key_id, caller, signer.public_key, signer.valid_from, signer.valid_until,
            signer.revoked_at,
        ).check(caller, now)  # fmt: skip
        new_key = request.check(signer.public_key, now)
        for key_id in request.revoke:
            if key_id not in rows:
                raise InvalidEvent(f"{caller} has no key {key_id}", field="revoke")
        operator = ledger.operator
        events = [operator.key_added(caller, new_key, now, None)]
        events += [operator.key_revoked(caller, kid, "rotated", now) for kid in request.revoke]
        entries = uow.append(events, operator=True)
        uow.commit()
    return entries
