"""A data subject's consents to lenders, as a projection of its signed consent events.

``consent.granted`` (signed by the subject: the authority rule makes ``payload.subject``
the actor) lets one lender read the subject's entries, score or reports, as its scope says,
until it expires; ``consent.revoked`` ends it at once. A consent id is granted once; only
the subject that granted it may revoke it, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict, InvalidEvent, NotFound
from ledger.core.events import parse_timestamp
from ledger.trust.tables import Consent


class ConsentsProjector:
    name = "trust.consents"
    version = 1
    order = 20
    event_types = frozenset({"consent.granted", "consent.revoked"})
    tables = (Consent.__table__,)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:
            payload = entry.event.payload
            consent_id = str(payload["consent_id"])
            known = connection.execute(
                select(Consent.subject, Consent.revoked_seq).where(Consent.consent_id == consent_id)
            ).first()
            if entry.event.type == "consent.granted":
                if known is not None:
                    raise Conflict(
                        f"consent {consent_id} was granted already", field="payload.consent_id"
                    )
                expires = parse_timestamp(payload["expires_at"], field="payload.expires_at")
                _check_expiry(expires, entry)
                connection.execute(
                    insert(Consent).values(
                        consent_id=consent_id,
                        subject=str(payload["subject"]),
                        grantee=str(payload["grantee"]),
                        scope=sorted(set(payload["scope"])),
                        expires_at=expires,
                        granted_seq=entry.seq,
                        revoked_seq=None,
                    )
                )
                continue
            if known is None or known.subject != entry.event.actor:
                raise NotFound(
                    f"{entry.event.actor} granted no consent {consent_id}",
                    field="payload.consent_id",
                )
            if known.revoked_seq is not None:
                raise Conflict(
                    f"consent {consent_id} was revoked already", field="payload.consent_id"
                )
            connection.execute(
                update(Consent)
                .where(Consent.consent_id == consent_id)
                .values(revoked_seq=entry.seq)
            )


def _check_expiry(expires: datetime, entry: LedgerEntry) -> None:
    if expires <= entry.event.occurred_at:
        raise InvalidEvent("a consent must expire after it is granted", field="payload.expires_at")


PROJECTOR = ConsentsProjector()
