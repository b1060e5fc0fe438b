"""Reading entries back: rows of the ``entries`` table as :class:`LedgerEntry` values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ledger.core.entry import LedgerEntry
from ledger.core.errors import LedgerError, NotFound
from ledger.core.events import Event
from ledger.storage.models import Entry, LedgerHead
from ledger.storage.query import EntryQuery, Page


def entry_from_row(row: Any) -> LedgerEntry:
    """Rebuild an entry from a row of the ``entries`` table (re-parsing its canonical bytes)."""
    return LedgerEntry(
        row.seq,
        Event.from_canonical(row.canonical, row.signature),
        row.leaf_hash,
        row.chain_hash,
        row.recorded_at,
        row.format,
    )


def tree_size(connection: Connection) -> int:
    size = connection.execute(
        select(LedgerHead.tree_size).where(LedgerHead.id == 1)
    ).scalar_one_or_none()
    if size is None:
        raise LedgerError("the ledger is not initialised")
    return int(size)


def entry(connection: Connection, seq: int) -> LedgerEntry:
    row = connection.execute(select(Entry.__table__).where(Entry.seq == seq)).first()
    if row is None:
        raise NotFound(f"no entry {seq}", field="seq")
    return entry_from_row(row)


def page(connection: Connection, query: EntryQuery) -> Page:
    """One page of entries matching ``query``, with the cursor of the next page."""
    rows = list(connection.execute(query.statement()))
    more = len(rows) > query.limit
    entries = [entry_from_row(row) for row in rows[: query.limit]]
    return Page(entries, entries[-1].seq if more and entries else None)
