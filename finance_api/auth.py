"""API keys: high-entropy secrets shown once, stored only as SHA-256, looked up by hash.

A lookup hashes the presented key and fetches the row by its primary key, then compares
digests with :func:`hmac.compare_digest`; the time taken does not depend on how much of a
guessed key is right, since the database never sees the key itself. A key may be limited
to some of its holder's roles; the caller's roles are the intersection.

A revocation or an expiry takes effect at the next request. :class:`KeyCache` keeps in
memory what never changes about a key that authenticated (holder, roles, expiry) and still
asks the database, on every request, whether the key's row exists and is not revoked (one
primary-key read at driver level); expiry is compared with the clock on every request. So a
key revoked by any process — this one, another worker, ``threeflow apikey-revoke`` — is
refused at the next request; only keys that authenticated are kept (a guessed key never is).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from ledger.core.access import Caller
from ledger.core.errors import Forbidden, InvalidEvent, LedgerError, NotFound, Unauthorized
from ledger.core.event_types import ROLES
from ledger.log import Ledger
from ledger.storage.key_reads import KeyReads
from ledger.storage.models import ApiKey, Participant

PREFIX = "tf_"
ADMIN_ROLES = frozenset({"admin", "operator"})


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    participant_id: str
    roles: tuple[str, ...] | None
    expires_at: datetime | None
    secret: str

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "participant_id": self.participant_id,
            "roles": list(self.roles) if self.roles is not None else None,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "secret": self.secret,
        }


def issue_api_key(
    ledger: Ledger,
    participant_id: str,
    label: str,
    now: datetime,
    *,
    roles: list[str] | None = None,
    expires_at: datetime | None = None,
) -> IssuedKey:
    """Issue a key for a registered participant, limited to ``roles`` of its roles."""
    if expires_at is not None and expires_at <= now:
        raise InvalidEvent("must lie in the future", field="expires_at")
    secret = PREFIX + secrets.token_urlsafe(32)
    digest = _digest(secret)
    with ledger.unit_of_work(lock=False) as uow:
        held = uow.connection.execute(
            select(Participant.roles).where(Participant.id == participant_id)
        ).scalar_one_or_none()
        if held is None:
            raise NotFound(f"no participant {participant_id!r}", field="participant_id")
        if roles is not None:
            unknown = sorted(set(roles) - set(ROLES))
            if unknown or not roles:
                raise InvalidEvent(f"unknown roles {unknown}" if unknown else "is empty",
                                   field="roles")  # fmt: skip
            missing = sorted(set(roles) - set(held))
            if missing:
                raise InvalidEvent(
                    f"{participant_id} does not hold the roles {missing}", field="roles"
                )
        uow.connection.execute(
            insert(ApiKey).values(
                key_hash=digest,
                key_id=digest[:8].hex(),
                participant_id=participant_id,
                label=label,
                created_at=now,
                roles=sorted(set(roles)) if roles is not None else None,
                expires_at=expires_at,
            )
        )
        uow.commit()
    return IssuedKey(
        digest[:8].hex(), participant_id, tuple(sorted(set(roles))) if roles else None,
        expires_at, secret,
    )  # fmt: skip


def create_api_key(ledger: Ledger, participant_id: str, label: str, now: datetime) -> str:
    """A key with all its holder's roles and no expiry; the secret is returned once."""
    return issue_api_key(ledger, participant_id, label, now).secret


def revoke_api_key(ledger: Ledger, key_id: str, now: datetime) -> bool:
    """Revoke a key by its id; False when it was revoked already. Unknown: NotFound."""
    with ledger.unit_of_work(lock=False) as uow:
        row = uow.connection.execute(
            select(ApiKey.revoked_at).where(ApiKey.key_id == key_id)
        ).first()
        if row is None:
            raise NotFound(f"no API key {key_id}", field="key_id")
        if row.revoked_at is not None:
            return False
        uow.connection.execute(update(ApiKey).where(ApiKey.key_id == key_id).values(revoked_at=now))
        uow.commit()
    return True


def list_api_keys(ledger: Ledger, participant_id: str | None) -> list[dict[str, Any]]:
    """Keys (never their secrets), of one participant or of all."""
    stmt = select(
        ApiKey.key_id, ApiKey.participant_id, ApiKey.label, ApiKey.roles, ApiKey.created_at,
        ApiKey.expires_at, ApiKey.revoked_at,
    ).order_by(ApiKey.participant_id, ApiKey.created_at)  # fmt: skip
    if participant_id is not None:
        stmt = stmt.where(ApiKey.participant_id == participant_id)
    with ledger.reading() as connection:
        rows = connection.execute(stmt).all()
    return [
        {
            "key_id": r.key_id,
            "participant_id": r.participant_id,
            "label": r.label,
            "roles": r.roles,
            "created_at": r.created_at.isoformat(),
            "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]


_REFUSED = "unknown, expired or revoked API key"


def _presented(secret: str | None) -> bytes:
    """The digest of a presented key, or Unauthorized for none or an absurdly long one."""
    if not secret:
        raise Unauthorized("an API key is required (header X-API-Key)", field="X-API-Key")
    if len(secret) > 200:
        raise Unauthorized(_REFUSED, field="X-API-Key")
    return _digest(secret)


def authenticate(ledger: Ledger, secret: str | None, now: datetime | None = None) -> Caller:
    """The caller an API key belongs to (with the roles it may act in), or Unauthorized."""
    return _lookup(ledger, _presented(secret), now)[0]


def _lookup(ledger: Ledger, digest: bytes, now: datetime | None) -> tuple[Caller, datetime | None]:
    """The full read of a key and its holder: the caller and the key's expiry."""
    with ledger.reading() as connection:
        row = connection.execute(
            select(
                ApiKey.key_hash, ApiKey.key_id, ApiKey.participant_id, ApiKey.revoked_at,
                ApiKey.expires_at, ApiKey.roles, Participant.roles.label("held"),
            )
            .join(Participant, Participant.id == ApiKey.participant_id)
            .where(ApiKey.key_hash == digest)
        ).first()  # fmt: skip
    moment = now or ledger.clock.now()
    if (
        row is None
        or not hmac.compare_digest(row.key_hash, digest)
        or row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= moment)
    ):
        raise Unauthorized(_REFUSED, field="X-API-Key")
    roles = frozenset(row.held)
    if row.roles is not None:
        roles &= frozenset(row.roles)
    caller = Caller(str(row.participant_id), roles, frozenset({f"key:{row.key_id}"}))
    return caller, row.expires_at


_MAX_KEYS = 10_000


class KeyCache:
    """Authentication with the fixed facts of known keys in memory (see the module's text).

    A hit costs the revocation read only; a miss (a key not seen yet, or dropped when the
    cache filled) is the full read of :func:`authenticate`. Blocking: call it off the loop.
    """

    def __init__(self, ledger: Ledger, max_keys: int = _MAX_KEYS) -> None:
        self.ledger = ledger
        self._reads = KeyReads(ledger)
        self._known: dict[bytes, tuple[Caller, datetime | None]] = {}
        self._max = max_keys
        self._lock = threading.Lock()

    def authenticate(self, secret: str | None, now: datetime | None = None) -> Caller:
        digest = _presented(secret)
        known = self._known.get(digest)
        if known is None:
            caller, expires_at = _lookup(self.ledger, digest, now)
            with self._lock:
                if len(self._known) >= self._max:
                    self._known.clear()
                self._known[digest] = (caller, expires_at)
            return caller
        caller, expires_at = known
        moment = now or self.ledger.clock.now()
        if (expires_at is not None and expires_at <= moment) or not self._reads.in_force(digest):
            with self._lock:
                self._known.pop(digest, None)
            raise Unauthorized(_REFUSED, field="X-API-Key")
        return caller

    def authenticate_many(self, presented: Sequence[str | None]) -> list[Caller | Exception]:
        """:meth:`authenticate` of each secret, the revocation reads of the keys known here
        made in one statement (a group read of requests waiting together): each gets the
        caller, or the refusal, it would get alone."""
        moment = self.ledger.clock.now()
        answers: list[Caller | Exception] = []
        known: dict[int, tuple[bytes, Caller, datetime | None]] = {}
        for i, secret in enumerate(presented):
            try:
                digest = _presented(secret)
                found = self._known.get(digest)
                if found is None:  # not seen yet: the full read, alone
                    answers.append(self.authenticate(secret, moment))
                    continue
            except LedgerError as exc:
                answers.append(exc)
                continue
            known[i] = (digest, *found)
            answers.append(found[0])
        live = self._reads.in_force_many([k[0] for k in known.values()]) if known else set()
        for i, (digest, _, expires_at) in known.items():
            if (expires_at is not None and expires_at <= moment) or digest not in live:
                with self._lock:
                    self._known.pop(digest, None)
                answers[i] = Unauthorized(_REFUSED, field="X-API-Key")
        return answers


def require_role(caller: Caller, roles: frozenset[str], what: str) -> None:
    if not caller.roles & roles:
        raise Forbidden(
            f"{what} needs a key with role {' or '.join(sorted(roles))}", field="X-API-Key"
        )
