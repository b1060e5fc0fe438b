"""Goods in and out of custody, a run of them at a time: one read, one write.

``goods.received`` and ``goods.released`` are most of the finance entries a simulated
batch holds (a few dozen in 500), and each used to read its stock row and its live cover,
then write: three statements an entry. A :class:`StockRun` reads, for every entry of a run
of them, the stock rows they name and what live receipts cover of each, in two statements;
applies the rule to those figures in memory, entry by entry and in order (the same checks,
refusals and messages as one entry at a time); and writes the rows it changed in one
``executemany`` update and one insert. The projector writes the run before any other act
reads stock (:meth:`write`) and drops it before any act that may change stock or receipts,
so every other rule reads the tables exactly as before. A refusal leaves nothing written:
the append's transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, insert, select, update

from finance_api.domain.errors import GoodsEncumbered, GoodsNotHeld
from finance_api.lending.keyed import Keyed
from finance_api.receipts import facts
from finance_api.receipts.stock import LIVE
from finance_api.receipts.tables import ReceiptRow, StockRow
from ledger.core.entry import LedgerEntry

TYPES = frozenset({"goods.received", "goods.released"})

Key = tuple[str, str, str]  # warehouse, lot, owner

_ROWS = Keyed(
    select(StockRow.warehouse_id, StockRow.lot_id, StockRow.owner, StockRow.held_milli,
           StockRow.received_milli, StockRow.out_milli),
    (StockRow.warehouse_id, StockRow.lot_id, StockRow.owner),
)  # fmt: skip
_COVER = Keyed(
    select(ReceiptRow.warehouse_id, ReceiptRow.lot_id, ReceiptRow.holder,
           func.sum(ReceiptRow.live_milli))
    .where(ReceiptRow.status.in_(LIVE))
    .group_by(ReceiptRow.warehouse_id, ReceiptRow.lot_id, ReceiptRow.holder),
    (ReceiptRow.warehouse_id, ReceiptRow.lot_id, ReceiptRow.holder),
)  # fmt: skip
_SET = (
    update(StockRow)
    .where(
        StockRow.warehouse_id == bindparam("w"),
        StockRow.lot_id == bindparam("l"),
        StockRow.owner == bindparam("o"),
    )
    .values(held_milli=bindparam("h"), received_milli=bindparam("r"), out_milli=bindparam("x"))
)
_NEW = insert(StockRow)


def key_of(entry: LedgerEntry) -> Key:
    p = entry.event.payload
    return str(p["warehouse_id"]), str(p["lot_id"]), str(p["owner"])


@dataclass(slots=True)
class _Stock:
    held: int
    received: int
    out: int


class StockRun:
    """The stock and live cover of the keys a run of goods entries names, in memory."""

    def __init__(self, connection: Connection, entries: Iterable[LedgerEntry]) -> None:
        keys = {key_of(e) for e in entries if e.event.type in TYPES}
        self.rows: dict[Key, _Stock] = {
            (str(w), str(lot), str(o)): _Stock(int(h), int(r), int(x))
            for w, lot, o, h, r, x in _ROWS.rows(connection, keys)
        }
        self.cover: dict[Key, int] = {
            (str(w), str(lot), str(o)): int(c or 0)
            for w, lot, o, c in _COVER.rows(connection, keys)
        }
        self.changed: set[Key] = set()
        self.new: dict[Key, dict[str, object]] = {}  # rows no table holds yet, as inserted

    def apply(self, entry: LedgerEntry) -> None:
        if entry.event.type == "goods.received":
            self.received(entry)
        else:
            self.released(entry)

    def received(self, entry: LedgerEntry) -> None:
        """Goods in: a new stock row, or more of one held already."""
        key = key_of(entry)
        milli = facts.quantity(entry)
        row = self.rows.get(key)
        if row is None:
            self.rows[key] = _Stock(milli, milli, 0)
            self.new[key] = {"sku": str(entry.event.payload["sku"]),
                             "unit": facts.optional(entry, "unit")}  # fmt: skip
        else:
            row.held += milli
            row.received += milli
        self.changed.add(key)

    def released(self, entry: LedgerEntry) -> None:
        """Goods leave custody: never those a live receipt covers."""
        warehouse, lot, owner = key = key_of(entry)
        milli = facts.quantity(entry)
        row = self.rows.get(key)
        if row is None:
            raise GoodsNotHeld(
                f"{warehouse} holds no goods of lot {lot} for {owner}", field="payload.lot_id"
            )
        free = row.held - self.cover.get(key, 0)
        if milli > free:
            raise GoodsEncumbered(
                f"only {free / 1000:g} of lot {lot} is free of live receipts; a pledged receipt "
                "must be released and the receipt cancelled before its goods leave",
                field="payload.quantity",
            )
        row.held -= milli
        row.out += milli
        self.changed.add(key)

    def write(self, connection: Connection) -> None:
        """Bring the stock table up to date with the run (it stays usable after)."""
        fresh = [
            {"warehouse_id": k[0], "lot_id": k[1], "owner": k[2], **self.new[k],
             "held_milli": self.rows[k].held, "received_milli": self.rows[k].received,
             "out_milli": self.rows[k].out, "counted_milli": None, "counted_seq": None}
            for k in sorted(self.new)
        ]  # fmt: skip
        moved = [
            {"w": k[0], "l": k[1], "o": k[2], "h": self.rows[k].held,
             "r": self.rows[k].received, "x": self.rows[k].out}
            for k in sorted(self.changed - self.new.keys())
        ]  # fmt: skip
        if fresh:
            connection.execute(_NEW, fresh)
        if moved:
            connection.execute(_SET, moved)
        self.changed.clear()
        self.new.clear()
