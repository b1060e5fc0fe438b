"""Reads and writes of the EPCIS index tables (``epcis_events``, ``epcis_items``, ``epcis_links``).

Every function takes an open connection; the caller decides the transaction. The tables are
append-only projections of ``epcis.captured`` entries: nothing here updates or deletes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, cast

from sqlalchemy import BindParameter, Connection, Table, bindparam, select

from ledger.core.entry import LedgerEntry
from ledger.storage.models import Entry, EntryRef
from ledger.storage.reads import entry_from_row
from ledger.storage.table_writer import TableWriter
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.index import IndexRow, Link, index_row, item_roles, links
from ledger.traceability.tables import EpcisEventRow, EpcisItem, EpcisLink

CAPTURED = "epcis.captured"
_CHUNK = 500


_VALUES: BindParameter[Any] = bindparam("values", expanding=True)
# Built once: the hot reads of a trace then hit SQLAlchemy's compiled cache every layer.
_ENTRIES = select(Entry.__table__).where(Entry.seq.in_(_VALUES))
_INDEX_ROWS = select(EpcisEventRow.__table__).where(EpcisEventRow.seq.in_(_VALUES))
_NAMING = select(EpcisItem.seq).where(EpcisItem.item.in_(_VALUES))
_LINKS_FROM = select(EpcisLink.__table__).where(EpcisLink.from_item.in_(_VALUES))
_LINKS_TO = select(EpcisLink.__table__).where(EpcisLink.to_item.in_(_VALUES))


# The two lookups every capture makes for each of its events (which are known, which are
# indexed), as driver-level statements: SQLAlchemy's expanding IN renders a name per value
# on every execution, about 0.7 µs a value of a 1,000-event capture, twice the query's own.
# Which seqs are indexed is asked of their range (an append's new seqs are one run, which
# holds no index row unless one was written for it already): one seek of the primary key
# instead of a bound value and a probe per seq; the caller keeps only the seqs it asked.
_INDEXED = "SELECT seq FROM epcis_events WHERE seq BETWEEN {0} AND {0}"
_KNOWN = "SELECT hash_id, declaration_key, seq FROM epcis_events WHERE hash_id IN ({})"


def _in(connection: Connection, sql: str, values: list[Any]) -> list[Any]:
    """Rows of ``sql`` with its IN list of ``values`` (one chunk), at driver level."""
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = sql.format(", ".join([mark] * len(values)))
    return list(connection.exec_driver_sql(statement, tuple(values)))


_DECLARED = select(EpcisEventRow.seq, EpcisEventRow.declared_event_id, EpcisEventRow.hash_id).where(
    EpcisEventRow.error_declaration.is_(True)
)
_DECLARED_BY_ID = _DECLARED.where(EpcisEventRow.declared_event_id.in_(_VALUES))
_DECLARED_BY_HASH = _DECLARED.where(EpcisEventRow.hash_id.in_(_VALUES))


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def seqs_by_key(
    connection: Connection, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Seqs of captures already indexed, by ``(hash_id, declaration_key)``."""
    wanted = set(keys)
    found: dict[tuple[str, str], int] = {}
    for chunk in _chunks({h for h, _ in wanted}):
        for hash_id, key, seq in _in(connection, _KNOWN, chunk):
            if (hash_id, key) in wanted:
                found[(hash_id, key)] = seq
    return found


_ROW_FIELDS = IndexRow.__slots__
_EVENT_COLUMNS = ("seq", *_ROW_FIELDS, "captured_by")
_ITEM_COLUMNS = ("item", "seq", "role")
_LINK_COLUMNS = ("from_item", "to_item", "kind", "seq")


def _indexed(connection: Connection, seqs: set[int]) -> set[int]:
    """Which of ``seqs`` have their index row already (see ``_INDEXED``)."""
    if not seqs:
        return set()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    rows = connection.exec_driver_sql(_INDEXED.format(mark), (min(seqs), max(seqs)))
    return {seq for (seq,) in rows if seq in seqs}


def write_index(connection: Connection, captured: Sequence[tuple[int, EpcisEvent, str]]) -> None:
    """Index ``(seq, event, captured_by)`` triples, skipping seqs indexed already.

    Three inserts per batch through :class:`~ledger.storage.table_writer.TableWriter` (a few
    rows per event: building SQLAlchemy's parameter dictionaries cost more than the inserts
    themselves; binary ``COPY`` on PostgreSQL for a batch's many items and links).
    """
    done = _indexed(connection, {seq for seq, _, _ in captured})
    events: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    link_rows: list[tuple[Any, ...]] = []
    for seq, event, captured_by in captured:
        if seq in done:
            continue
        done.add(seq)
        row = index_row(event)
        events.append((seq, *[getattr(row, name) for name in _ROW_FIELDS], captured_by))
        items.extend((i, seq, r) for i, r in item_roles(event))
        link_rows.extend((k.from_item, k.to_item, k.kind, seq) for k in links(event))
    dialect = connection.dialect
    for model, columns, rows in (
        (EpcisEventRow, _EVENT_COLUMNS, events),
        (EpcisItem, _ITEM_COLUMNS, items),
        (EpcisLink, _LINK_COLUMNS, link_rows),
    ):
        TableWriter.of(dialect, cast(Table, model.__table__), columns).write(connection, rows)


def entries(connection: Connection, seqs: Collection[int]) -> dict[int, LedgerEntry]:
    out: dict[int, LedgerEntry] = {}
    for chunk in _chunks(sorted(set(seqs))):
        for row in connection.execute(_ENTRIES, {"values": chunk}):
            out[row.seq] = entry_from_row(row)
    return out


def index_rows(connection: Connection, seqs: Collection[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for chunk in _chunks(sorted(set(seqs))):
        for row in connection.execute(_INDEX_ROWS, {"values": chunk}):
            out[row.seq] = row
    return out


def seqs_naming(
    connection: Connection, items: Collection[str], roles: Collection[str] | None = None
) -> set[int]:
    """Seqs of the EPCIS entries that name any of ``items`` (in one of ``roles``)."""
    out: set[int] = set()
    for chunk in _chunks(set(items)):
        if roles is None:
            out.update(connection.execute(_NAMING, {"values": chunk}).scalars())
            continue
        stmt = _NAMING.where(EpcisItem.role.in_(list(roles)))
        out.update(connection.execute(stmt, {"values": chunk}).scalars())
    return out


def links_touching(
    connection: Connection, items: Collection[str], *, forward: bool
) -> list[tuple[Link, int]]:
    """Links leaving ``items`` (``forward``) or arriving at them, with the entry of each."""
    stmt = _LINKS_FROM if forward else _LINKS_TO
    out: list[tuple[Link, int]] = []
    for chunk in _chunks(set(items)):
        for row in connection.execute(stmt, {"values": chunk}):
            out.append((Link(row.from_item, row.to_item, row.kind), row.seq))
    return out


def declarations_for(
    connection: Connection, event_ids: Collection[str], hash_ids: Collection[str]
) -> list[tuple[int, str | None, str]]:
    """Error declarations that may void events of these eventIDs or hash IDs, in seq order.

    ``(seq, eventID, hash ID)`` of each; :func:`~ledger.traceability.question.voids` decides.
    """
    found: dict[int, tuple[int, str | None, str]] = {}
    for stmt, values in ((_DECLARED_BY_ID, event_ids), (_DECLARED_BY_HASH, hash_ids)):
        for chunk in _chunks(set(values)):
            for seq, event_id, hash_id in connection.execute(stmt, {"values": chunk}):
                found[seq] = (seq, event_id, hash_id)
    return [found[s] for s in sorted(found)]


def other_flow_refs(connection: Connection, ids: Collection[str]) -> dict[str, list[int]]:
    """Entries of other event types that name ``ids`` as a subject (orders, invoices...)."""
    out: dict[str, list[int]] = {}
    for chunk in _chunks(set(ids)):
        rows = connection.execute(
            select(EntryRef.ref, EntryRef.seq)
            .join(Entry, Entry.seq == EntryRef.seq)
            .where(EntryRef.ref.in_(chunk), EntryRef.role == "subject", Entry.type != CAPTURED)
            .order_by(EntryRef.seq)
        )
        for ref, seq in rows:
            out.setdefault(ref, []).append(seq)
    return out
