"""The one fact about an API key that changes, read at driver level: is it revoked?

An API key's holder, roles and expiry never change once it is issued (the ``participants``
rows are written once, from the log); only ``revoked_at`` does. The HTTP layer keeps the
fixed facts of keys it has seen in memory and asks the database this single question on
every request, so a revocation — from this process, another worker or the command line —
takes effect at the next request. Asked through SQLAlchemy's ``Connection`` (``BEGIN``,
statement, result wrapping) the read costs about five times the query; a primary-key read
of one row needs none of it (a single statement is consistent on its own).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ledger.storage.models import ApiKey

if TYPE_CHECKING:
    from ledger.log import Ledger

_STATE = f"SELECT revoked_at IS NULL FROM {ApiKey.__tablename__} WHERE key_hash = {{mark}}"
_LIVE = f"SELECT key_hash FROM {ApiKey.__tablename__} WHERE revoked_at IS NULL AND key_hash"


class KeyReads:
    def __init__(self, ledger: Ledger) -> None:
        # the ledger's kept connections: one round trip a read, where a checkout cost four
        # more on PostgreSQL (ping, BEGIN, two ROLLBACKs)
        self._driver = ledger.kept_reads
        self._sql = _STATE.format(mark="?" if self._driver.paramstyle == "qmark" else "%s")

    def in_force(self, key_hash: bytes) -> bool:
        """True when a key with this hash exists and is not revoked (expiry is the caller's:
        it depends on the clock, not on the row)."""
        with self._driver.cursor() as cursor:
            rows = cursor.exec_driver_sql(self._sql, (key_hash,))
        return bool(rows) and bool(rows[0][0])

    def in_force_many(self, key_hashes: Sequence[bytes]) -> set[bytes]:
        """Those of ``key_hashes`` that exist and are not revoked, in one statement (the
        keys of requests waiting together: one round trip instead of one each)."""
        if not key_hashes:
            return set()
        params: tuple[object, ...]
        if self._driver.paramstyle == "qmark":
            sql, params = f"{_LIVE} IN ({', '.join('?' * len(key_hashes))})", tuple(key_hashes)
        else:
            sql, params = f"{_LIVE} = ANY(%s)", (list(key_hashes),)
        with self._driver.cursor() as cursor:
            rows = cursor.exec_driver_sql(sql, params)
        return {bytes(row[0]) for row in rows}
