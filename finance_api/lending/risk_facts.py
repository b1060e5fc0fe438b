"""What the ``lending.risk`` projection reads of the projections ordered before it.

Only what reads the same on append and on replay (when the earlier projections are already
at the log's end): rows keyed by the entry that wrote them and never updated (LTV band
moves, stock findings, postings), columns that never change (a loan's lender, borrower,
currency and commodity; a receipt's warehouse, lot and quantity; a line's parties), and
pledges, whose life is bounded by entry numbers (live at ``s``: pledged at or before ``s``,
not released by then). Each read covers a batch's range of entries in one query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, or_, select, tuple_

from finance_api.lending.line_tables import CreditLinePosting, CreditLineRow
from finance_api.receipts.tables import (
    AlertRow,
    LoanRow,
    LtvMoveRow,
    PledgeRow,
    PostingRow,
    ReceiptRow,
    StockRow,
)


@dataclass(frozen=True, slots=True)
class Party:
    lender: str
    borrower: str
    currency: str
    commodity: str | None = None
    since: int = -1  # the entry that opened it


@dataclass(frozen=True, slots=True)
class Pledge:
    receipt_id: str
    lender: str
    holder: str
    loan_id: str | None
    warehouse_id: str
    lot_id: str
    quantity_milli: int
    pledged_seq: int
    released_seq: int | None

    def live_at(self, seq: int) -> bool:
        return self.pledged_seq <= seq and (self.released_seq is None or self.released_seq > seq)


CHUNK = 5000  # ids per IN list: PostgreSQL takes at most 65,535 parameters a statement


def chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start : start + CHUNK]


def _by_seq(rows: Iterable[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[int(row.seq)].append(row)
    return out


def moves(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    t = LtvMoveRow
    query = select(t.__table__).where(t.seq.between(lo, hi)).order_by(t.seq, t.loan_id)
    return _by_seq(connection.execute(query))


def findings(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    t = AlertRow
    query = select(t.__table__).where(t.seq.between(lo, hi)).order_by(t.seq, t.kind)
    return _by_seq(connection.execute(query))


def loan_postings(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    t = PostingRow
    delta = (t.fees_delta + t.interest_delta + t.principal_delta).label("delta")
    query = select(t.seq, t.loan_id, delta).where(t.seq.between(lo, hi)).order_by(t.seq)
    return _by_seq(connection.execute(query))


def line_postings(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    t = CreditLinePosting
    query = select(t.seq, t.line_id, t.amount_minor).where(t.seq.between(lo, hi))
    return _by_seq(connection.execute(query.order_by(t.seq, t.component)))


def _pledges(connection: Connection, *where: Any) -> list[Pledge]:
    p, r = PledgeRow, ReceiptRow
    query = (
        select(p.receipt_id, p.lender, p.holder, p.loan_id, r.warehouse_id, r.lot_id,
               r.quantity_milli, p.pledged_seq, p.released_seq)
        .join(r, r.receipt_id == p.receipt_id).where(*where)
        .order_by(p.pledged_seq)
    )  # fmt: skip
    return [Pledge(*row) for row in connection.execute(query)]


def pledges_moved(connection: Connection, lo: int, hi: int) -> list[Pledge]:
    """Pledges made or released by an entry in the range (they move a loan's collateral)."""
    p = PledgeRow
    return _pledges(connection, or_(p.pledged_seq.between(lo, hi), p.released_seq.between(lo, hi)))


def pledges_of_loans(connection: Connection, loan_ids: Iterable[str]) -> dict[str, list[Pledge]]:
    out: dict[str, list[Pledge]] = defaultdict(list)
    for ids in chunks(loan_ids):
        for pledge in _pledges(connection, PledgeRow.loan_id.in_(ids)):
            out[str(pledge.loan_id)].append(pledge)
    return out


def pledges_on_lots(connection: Connection, lots: Iterable[tuple[str, str]]) -> list[Pledge]:
    r = ReceiptRow
    return [p for pairs in chunks(lots)
            for p in _pledges(connection, tuple_(r.warehouse_id, r.lot_id).in_(pairs))]  # fmt: skip


def lots_of_sku(connection: Connection, warehouse: str, sku: str) -> list[str]:
    t = StockRow
    query = select(t.lot_id).where(and_(t.warehouse_id == warehouse, t.sku == sku)).distinct()
    return sorted(str(lot) for lot in connection.scalars(query))


def loans(connection: Connection, loan_ids: Iterable[str]) -> dict[str, Party]:
    t = LoanRow
    query = select(t.loan_id, t.lender, t.borrower, t.currency, t.commodity, t.disbursed_seq)
    return {str(r[0]): Party(*r[1:]) for ids in chunks(loan_ids)
            for r in connection.execute(query.where(t.loan_id.in_(ids)))}  # fmt: skip


def lines(connection: Connection, line_ids: Iterable[str]) -> dict[str, Party]:
    t = CreditLineRow
    query = select(t.line_id, t.lender, t.borrower, t.currency, t.opened_seq)
    return {str(r[0]): Party(r[1], r[2], r[3], None, r[4]) for ids in chunks(line_ids)
            for r in connection.execute(query.where(t.line_id.in_(ids)))}  # fmt: skip
