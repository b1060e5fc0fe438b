"""Reads that record nothing on the ledger, logged under the consent in force, at once.

A lender polling a score already recorded for it appends no entry: its read is only
logged, under the consent that allows it, checked again at the write. On SQLite that is
a consent read and an insert in one write transaction (commits there never wait for a
disk flush). On PostgreSQL it is one statement, on a connection kept for it, in an
autocommit session that does not wait for its WAL flush either (``Engines.unflushed``):
it finds each read's consent (the same consent
:func:`~ledger.trust.access.consents_in_force` names: in force at ``at``, with the scope,
the first by id), inserts a row for each read that has one and returns them. One round
trip instead of six (pool check, begin, read, insert, commit), and no wait for the disk:
a reader was served at the disk's flush rate. The ledger holds one :class:`ReadLog`
(``Ledger.read_log``), which knows which of the two its database takes.

What this gives up is what SQLite's commits give up already: if the database server
itself fails, the log rows of the last few hundred milliseconds (``wal_writer_delay``,
three times over at most) can be lost; the database stays consistent, and no ledger
entry (a score's record, any append) is ever written so. A kept connection the server
dropped fails its statement once (the batch's readers get the database's error) and is
replaced at the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection

from ledger.storage.db import Engines
from ledger.storage.nodes import DriverCursor, KeptReads
from ledger.trust.access import consents_in_force, record_read_rows


class Read(NamedTuple):
    """One read to log: who read whose what (``detail``), when."""

    reader: str
    subject: str
    resource: str
    detail: str
    at: datetime


_LOG_IN_FORCE = """
WITH asked AS (
    SELECT * FROM unnest(
        CAST(%s AS text[]), CAST(%s AS text[]), CAST(%s AS text[]),
        CAST(%s AS text[]), CAST(%s AS timestamptz[]), CAST(%s AS integer[])
    ) AS a(reader, subject, resource, detail, at, ord)
), granted AS (
    SELECT a.*, (
        SELECT c.consent_id FROM consents AS c
        WHERE c.grantee = a.reader AND c.subject = a.subject AND c.revoked_seq IS NULL
          AND c.expires_at > %s AND CAST(c.scope AS jsonb) ? %s
        ORDER BY c.consent_id LIMIT 1
    ) AS consent_id
    FROM asked AS a
)
INSERT INTO access_log (reader, subject, resource, detail, consent_id, at)
SELECT reader, subject, resource, detail, consent_id, at FROM granted
WHERE consent_id IS NOT NULL ORDER BY ord
RETURNING reader, subject, consent_id
"""


class ReadLog:
    """The access log's writer for reads no entry depends on: SQLite's write transaction,
    or PostgreSQL's connection kept for it (one statement, committed unflushed)."""

    def __init__(self, engines: Engines) -> None:
        unflushed = engines.unflushed
        self.engine = engines.write if unflushed is None else unflushed  # the log's writer
        self._kept = None if unflushed is None else KeptReads(unflushed, 1)

    def log(self, reads: Sequence[Read], scope: str, now: datetime) -> list[str | None]:
        """Log each read whose reader holds a consent in force at ``now`` from its subject
        with ``scope``, committed before this returns; per read, in order, that consent's
        id (None: no consent in force, nothing logged for it)."""
        if not reads:
            return []
        if self._kept is None:
            with self.engine.begin() as connection:
                return _in_transaction(connection, reads, scope, now)
        with self._kept.cursor() as cursor:
            return _in_one_statement(cursor, reads, scope, now)

    def close(self) -> None:
        """Give the kept connection back to its pool (before the pool is disposed)."""
        if self._kept is not None:
            self._kept.close()


def _in_transaction(
    connection: Connection, reads: Sequence[Read], scope: str, now: datetime
) -> list[str | None]:
    """SQLite: a read of the consents and an insert, in the caller's write transaction."""
    consents = consents_in_force(connection, {(r.reader, r.subject) for r in reads}, scope, now)
    chosen = [consents.get((r.reader, r.subject)) for r in reads]
    record_read_rows(connection, [
        (r.reader, r.subject, r.resource, r.detail, consent_id, r.at)
        for r, consent_id in zip(reads, chosen, strict=True)
        if consent_id is not None
    ])  # fmt: skip
    return chosen


def _in_one_statement(
    cursor: DriverCursor, reads: Sequence[Read], scope: str, now: datetime
) -> list[str | None]:
    """PostgreSQL: :data:`_LOG_IN_FORCE` on the kept autocommit cursor."""
    params = (
        [r.reader for r in reads], [r.subject for r in reads], [r.resource for r in reads],
        [r.detail[:1000] for r in reads], [r.at for r in reads], list(range(len(reads))),
        now, scope,
    )  # fmt: skip
    rows = cursor.exec_driver_sql(_LOG_IN_FORCE, params)
    found = {(reader, subject): consent_id for reader, subject, consent_id in rows}
    return [found.get((r.reader, r.subject)) for r in reads]
