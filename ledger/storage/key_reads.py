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

from typing import TYPE_CHECKING

from ledger.storage.models import ApiKey
from ledger.storage.nodes import DriverReads

if TYPE_CHECKING:
    from ledger.log import Ledger

_STATE = f"SELECT revoked_at IS NULL FROM {ApiKey.__tablename__} WHERE key_hash = {{mark}}"


class KeyReads:
    def __init__(self, ledger: Ledger) -> None:
        self._driver = DriverReads(ledger.engines.read)
        self._sql = _STATE.format(mark="?" if self._driver.paramstyle == "qmark" else "%s")

    def in_force(self, key_hash: bytes) -> bool:
        """True when a key with this hash exists and is not revoked (expiry is the caller's:
        it depends on the clock, not on the row)."""
        with self._driver.cursor() as cursor:
            rows = cursor.exec_driver_sql(self._sql, (key_hash,))
        return bool(rows) and bool(rows[0][0])
