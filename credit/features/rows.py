"""The rows the feature pass reads: ``(type, canonical)`` of the as-of tree, oldest first.

One ``SELECT`` over ``entries`` with ``seq < tree_size``, of the types the fold reads
(:data:`~credit.features.fold.TYPES`, or some of them for one half of
:mod:`credit.features.halves`: logins, listings, statements and the like stay in the
database), read in batches (a server-side cursor on PostgreSQL), never a query per
participant. Asked for a few participants, the entries naming them (through
``entry_refs``): every entry a participant's features read names it as actor or subject,
or answers a claim that does (found through the ``trust.claims`` projection's answering
sequence numbers, below the tree size, so a later answer stays out).

Kept apart from :mod:`credit.features.scan` so that the process folding the other half
reads with this and the fold alone (no frames).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, literal, or_, select

from credit.features.fold import TYPES
from ledger.storage.models import Entry, EntryRef
from ledger.trust.tables import ClaimParty

BATCH = 5_000


def rows(
    connection: Connection,
    tree_size: int,
    participants: Collection[str] | None = None,
    types: Collection[str] = TYPES,
) -> Iterator[Any]:
    """``(type, canonical)`` of the entries of the tree of ``types`` (default: all the pass
    reads), oldest first, streamed in batches."""
    stmt = select_rows(tree_size, participants, types)
    result = connection.execution_options(yield_per=BATCH).execute(stmt)
    yield from result  # rows unpack as (type, canonical); nothing is copied


def select_rows(
    tree_size: int, participants: Collection[str] | None = None, types: Collection[str] = TYPES
) -> Select[str, bytes]:
    """The ``SELECT`` of :func:`rows`."""
    # ``type || ''``: a term no index serves, so the database walks the tree in sequence
    # order and filters as it goes; on the (type, seq) index SQLite would gather the rows of
    # every type and sort them all before the first came out
    stmt = select(Entry.type, Entry.canonical).where(
        Entry.seq < tree_size, (Entry.type + literal("")).in_(sorted(types))
    )
    if participants is not None:
        stmt = stmt.where(naming(tree_size, participants))
    return stmt.order_by(Entry.seq)


def fetch(
    connection: Connection,
    tree_size: int,
    participants: Collection[str] | None = None,
    types: Collection[str] = TYPES,
) -> Iterator[Any]:
    """The rows of :func:`rows` for the pass. On SQLite, sqlite3's own ``(type, bytes)``
    tuples, read straight from its cursor: SQLAlchemy's row objects cost about a third of
    the scan, and the fold needs neither their names nor their types. (No streaming option:
    with one SQLAlchemy takes the first row before the cursor is read; sqlite3 steps its
    cursor a row at a time anyway.) Elsewhere :func:`rows`' server-side cursor."""
    if connection.dialect.name != "sqlite":
        yield from rows(connection, tree_size, participants, types)
        return
    result = connection.execute(select_rows(tree_size, participants, types))
    cursor: Iterator[Any] = result.cursor  # type: ignore[assignment]  # sqlite3's iterates
    try:
        yield from cursor
    finally:
        result.close()


def naming(tree_size: int, participants: Collection[str]) -> ColumnElement[bool]:
    """Entries naming one of ``participants`` below ``tree_size``, and answers to them."""
    named = select(EntryRef.seq).where(
        EntryRef.ref.in_(sorted(participants)), EntryRef.seq < tree_size
    )
    answers = select(ClaimParty.answered_seq).where(
        ClaimParty.claim_seq.in_(named), ClaimParty.answered_seq < tree_size
    )
    return or_(Entry.seq.in_(named), Entry.seq.in_(answers))
