"""API keys: high-entropy secrets shown once, stored only as SHA-256, looked up by hash.

A lookup hashes the presented key and fetches the row by its primary key, then compares
digests with :func:`hmac.compare_digest`; the time taken does not depend on how much of a
guessed key is right, since the database never sees the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import insert, select

from ledger.core.access import Caller
from ledger.core.errors import NotFound, Unauthorized
from ledger.log import Ledger
from ledger.storage.models import ApiKey, Participant

PREFIX = "tf_"


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def create_api_key(ledger: Ledger, participant_id: str, label: str, now: datetime) -> str:
    """Issue a new key for a registered participant; the secret is returned once."""
    secret = PREFIX + secrets.token_urlsafe(32)
    with ledger.unit_of_work(lock=False) as uow:
        connection = uow.connection
        if (
            connection.execute(
                select(Participant.id).where(Participant.id == participant_id)
            ).first()
            is None
        ):
            raise NotFound(f"no participant {participant_id!r}", field="participant_id")
        connection.execute(
            insert(ApiKey).values(
                key_hash=_digest(secret), participant_id=participant_id, label=label, created_at=now
            )
        )
        uow.commit()
    return secret


def authenticate(ledger: Ledger, secret: str | None) -> Caller:
    """The caller an API key belongs to (with its registered roles), or :class:`Unauthorized`."""
    if not secret:
        raise Unauthorized("an API key is required (header X-API-Key)", field="X-API-Key")
    digest = _digest(secret)
    with ledger.reading() as connection:
        row = connection.execute(
            select(ApiKey.key_hash, ApiKey.participant_id, ApiKey.revoked_at, Participant.roles)
            .join(Participant, Participant.id == ApiKey.participant_id)
            .where(ApiKey.key_hash == digest)
        ).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked API key", field="X-API-Key")
    return Caller(str(row.participant_id), frozenset(row.roles))
