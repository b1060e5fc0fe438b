"""Stock the ledger proves: goods per warehouse, lot and owner from the logistics flow.

``goods.received`` adds, ``goods.lost`` (by the warehouse as custodian) and
``goods.released`` (out of custody) take away; goods under a live receipt may not be
released out of the warehouse. A ``stock.counted`` that disagrees with the live receipts
(fewer goods than receipts cover: the Qingdao check) or with the book raises an alert; so
does a loss that leaves receipts covering more than is held. Counts and losses are facts
and are never refused for disagreeing: the alert is what they are for. Goods in and out
(``goods.received``, ``goods.released``) are judged a run at a time, in :mod:`.stock_run`.
"""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, insert, select, update

from finance_api.domain.errors import InvalidAmount
from finance_api.receipts import facts
from finance_api.receipts.tables import AlertRow, ReceiptRow, StockRow
from ledger.core.entry import LedgerEntry

LIVE = ("live", "liquidated")  # a liquidated receipt still covers goods until cancelled

# Statements are built once, with bound parameters: building a SQLAlchemy statement per
# call costs about ten times executing it, and these run for every stock event appended.
_ON_LOT = (
    ReceiptRow.warehouse_id == bindparam("w"),
    ReceiptRow.lot_id == bindparam("l"),
    ReceiptRow.status.in_(LIVE),
)
_COVERED = select(func.coalesce(func.sum(ReceiptRow.live_milli), 0)).where(*_ON_LOT)
_COVERED_OF = _COVERED.where(ReceiptRow.holder == bindparam("o"))
_THIS_STOCK = (
    StockRow.warehouse_id == bindparam("w"),
    StockRow.lot_id == bindparam("l"),
    StockRow.owner == bindparam("o"),
)
_HELD = select(StockRow.held_milli).where(*_THIS_STOCK)
_TAKE_OUT = (
    update(StockRow)
    .where(*_THIS_STOCK)
    .values(
        held_milli=StockRow.held_milli - bindparam("m"),
        out_milli=StockRow.out_milli + bindparam("m"),
    )
)


_OWNERS = (
    select(StockRow.owner, StockRow.held_milli)
    .where(StockRow.warehouse_id == bindparam("w"), StockRow.lot_id == bindparam("l"))
    .order_by(StockRow.owner)
)
_BOOK = select(func.coalesce(func.sum(StockRow.held_milli), 0)).where(
    StockRow.warehouse_id == bindparam("w"), StockRow.lot_id == bindparam("l")
)
_NEW_ALERT = insert(AlertRow)
_LOT_COVER = (  # what all live receipts on a stock row's lot cover, beside the row
    select(func.coalesce(func.sum(ReceiptRow.live_milli), 0))
    .where(
        ReceiptRow.warehouse_id == StockRow.warehouse_id,
        ReceiptRow.lot_id == StockRow.lot_id,
        ReceiptRow.status.in_(LIVE),
    )
    .correlate(StockRow)
    .scalar_subquery()
)
_COUNTED = {  # a count names a lot, or only a SKU (every lot of it in the warehouse)
    by: (
        select(StockRow.lot_id, StockRow.held_milli, _LOT_COVER).where(*where),
        update(StockRow)
        .where(*where)
        .values(counted_milli=bindparam("m"), counted_seq=bindparam("s")),
    )
    for by, where in (
        ("lot", (StockRow.warehouse_id == bindparam("w"), StockRow.lot_id == bindparam("k"))),
        ("sku", (StockRow.warehouse_id == bindparam("w"), StockRow.sku == bindparam("k"))),
    )
}


def covered(connection: Connection, warehouse: str, lot: str, owner: str | None = None) -> int:
    """What live receipts cover of a lot (of one owner's goods, when given)."""
    if owner is None:
        return int(connection.execute(_COVERED, {"w": warehouse, "l": lot}).scalar_one())
    return int(connection.execute(_COVERED_OF, {"w": warehouse, "l": lot, "o": owner}).scalar_one())


def held(connection: Connection, warehouse: str, lot: str, owner: str) -> int | None:
    """What the warehouse holds of the lot for the owner; None when it never received any."""
    value = connection.execute(_HELD, {"w": warehouse, "l": lot, "o": owner}).scalar()
    return None if value is None else int(value)


_HELD_AND_COVERED = select(_HELD.scalar_subquery(), _COVERED_OF.scalar_subquery())


def held_and_covered(
    connection: Connection, warehouse: str, lot: str, owner: str
) -> tuple[int | None, int]:
    """:func:`held` and :func:`covered` (of the owner's goods) in one read."""
    have, cover = connection.execute(
        _HELD_AND_COVERED, {"w": warehouse, "l": lot, "o": owner}
    ).one()
    return (None if have is None else int(have)), int(cover)


def take_out(connection: Connection, warehouse: str, lot: str, owner: str, milli: int) -> None:
    connection.execute(_TAKE_OUT, {"w": warehouse, "l": lot, "o": owner, "m": milli})


def lost(connection: Connection, entry: LedgerEntry) -> list[tuple[str, str]]:
    """A warehouse's loss of goods of a lot; a carrier's loss is not stock. Returns the
    (warehouse, lot) touched, for revaluation."""
    lot = facts.optional(entry, "lot_id")
    custodian = facts.text(entry, "custodian")
    if lot is None:
        return []
    rows = connection.execute(_OWNERS, {"w": custodian, "l": lot}).all()
    if not rows:
        return []
    milli = facts.quantity(entry)
    if milli > sum(int(r.held_milli) for r in rows):
        raise InvalidAmount(
            f"{custodian} holds less of lot {lot} than it reports lost", field="payload.quantity"
        )
    left = milli
    for row in rows:
        part = min(left, int(row.held_milli))
        if part:
            take_out(connection, custodian, lot, str(row.owner), part)
        left -= part
    _alert_if_uncovered(connection, entry, custodian, lot, None)
    return [(custodian, lot)]


def counted(connection: Connection, entry: LedgerEntry) -> None:
    p = entry.event.payload
    warehouse, lot, sku = str(p["warehouse_id"]), facts.optional(entry, "lot_id"), str(p["sku"])
    read, mark = _COUNTED["lot" if lot is not None else "sku"]
    key = {"w": warehouse, "k": lot if lot is not None else sku}
    rows = connection.execute(read, key).all()
    milli = facts.quantity(entry)
    connection.execute(mark, {**key, "m": milli, "s": entry.seq})
    book = sum(int(r.held_milli) for r in rows)
    cover = sum({str(r.lot_id): int(r[2]) for r in rows}.values())  # each lot's cover once
    if milli < cover:
        _alert(connection, entry, "count_below_receipts", warehouse, lot, book, cover, milli)
    if milli != book:
        _alert(connection, entry, "count_differs_from_book", warehouse, lot, book, cover, milli)


def _alert_if_uncovered(
    connection: Connection, entry: LedgerEntry, warehouse: str, lot: str, count: int | None
) -> None:
    book = int(connection.execute(_BOOK, {"w": warehouse, "l": lot}).scalar_one())
    cover = covered(connection, warehouse, lot)
    if cover > book:
        _alert(connection, entry, "stock_below_receipts", warehouse, lot, book, cover, count)


def _alert(
    connection: Connection,
    entry: LedgerEntry,
    kind: str,
    warehouse: str,
    lot: str | None,
    book: int,
    cover: int,
    count: int | None,
) -> None:
    connection.execute(
        _NEW_ALERT,
        {
            "seq": entry.seq,
            "kind": kind,
            "warehouse_id": warehouse,
            "lot_id": lot,
            "held_milli": book,
            "covered_milli": cover,
            "counted_milli": count,
        },
    )
