"""What the ``lending.risk`` projection reads of the projections ordered before it.

Only what reads the same on append and on replay (when the earlier projections are already
at the log's end): rows keyed by the entry that wrote them and never updated (LTV band
moves, stock findings, postings), columns that never change (a loan's lender, borrower,
currency and commodity; a receipt's warehouse, lot and quantity; a line's parties), and
pledges, whose life is bounded by entry numbers (live at ``s``: pledged at or before ``s``,
not released by then). Each read covers a batch's range of entries in one query; the
queries are built once (building one costs more than running it on an empty range).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, and_, bindparam, or_, select, tuple_

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


_LO: BindParameter[int] = bindparam("lo")
_HI: BindParameter[int] = bindparam("hi")
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_MOVES = (
    select(LtvMoveRow.__table__)
    .where(LtvMoveRow.seq.between(_LO, _HI))
    .order_by(LtvMoveRow.seq, LtvMoveRow.loan_id)
)
_FINDINGS = (
    select(AlertRow.__table__)
    .where(AlertRow.seq.between(_LO, _HI))
    .order_by(AlertRow.seq, AlertRow.kind)
)
_DELTA = (PostingRow.fees_delta + PostingRow.interest_delta + PostingRow.principal_delta).label(
    "delta"
)
_LOAN_POSTINGS = (
    select(PostingRow.seq, PostingRow.loan_id, _DELTA)
    .where(PostingRow.seq.between(_LO, _HI))
    .order_by(PostingRow.seq)
)
_LINE_POSTINGS = (
    select(CreditLinePosting.seq, CreditLinePosting.line_id, CreditLinePosting.amount_minor)
    .where(CreditLinePosting.seq.between(_LO, _HI))
    .order_by(CreditLinePosting.seq, CreditLinePosting.component)
)


def moves(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    return _by_seq(connection.execute(_MOVES, {"lo": lo, "hi": hi}))


def findings(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    return _by_seq(connection.execute(_FINDINGS, {"lo": lo, "hi": hi}))


def loan_postings(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    return _by_seq(connection.execute(_LOAN_POSTINGS, {"lo": lo, "hi": hi}))


def line_postings(connection: Connection, lo: int, hi: int) -> dict[int, list[Any]]:
    return _by_seq(connection.execute(_LINE_POSTINGS, {"lo": lo, "hi": hi}))


def _pledges_query(*where: Any) -> Any:
    p, r = PledgeRow, ReceiptRow
    return (
        select(p.receipt_id, p.lender, p.holder, p.loan_id, r.warehouse_id, r.lot_id,
               r.quantity_milli, p.pledged_seq, p.released_seq)
        .join(r, r.receipt_id == p.receipt_id).where(*where)
        .order_by(p.pledged_seq)
    )  # fmt: skip


def _pledges(connection: Connection, *where: Any) -> list[Pledge]:
    return [Pledge(*row) for row in connection.execute(_pledges_query(*where))]


_PLEDGES_MOVED = _pledges_query(
    or_(PledgeRow.pledged_seq.between(_LO, _HI), PledgeRow.released_seq.between(_LO, _HI))
)
_PLEDGES_OF_LOANS = _pledges_query(PledgeRow.loan_id.in_(_IDS))


def pledges_moved(connection: Connection, lo: int, hi: int) -> list[Pledge]:
    """Pledges made or released by an entry in the range (they move a loan's collateral)."""
    return [Pledge(*row) for row in connection.execute(_PLEDGES_MOVED, {"lo": lo, "hi": hi})]


def pledges_of_loans(connection: Connection, loan_ids: Iterable[str]) -> dict[str, list[Pledge]]:
    out: dict[str, list[Pledge]] = defaultdict(list)
    for ids in chunks(loan_ids):
        for row in connection.execute(_PLEDGES_OF_LOANS, {"ids": ids}):
            pledge = Pledge(*row)
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


_LOANS = select(
    LoanRow.loan_id,
    LoanRow.lender,
    LoanRow.borrower,
    LoanRow.currency,
    LoanRow.commodity,
    LoanRow.disbursed_seq,
).where(LoanRow.loan_id.in_(_IDS))
_LINES = select(
    CreditLineRow.line_id,
    CreditLineRow.lender,
    CreditLineRow.borrower,
    CreditLineRow.currency,
    CreditLineRow.opened_seq,
).where(CreditLineRow.line_id.in_(_IDS))


def loans(connection: Connection, loan_ids: Iterable[str]) -> dict[str, Party]:
    return {str(r[0]): Party(*r[1:]) for ids in chunks(loan_ids)
            for r in connection.execute(_LOANS, {"ids": ids})}  # fmt: skip


def lines(connection: Connection, line_ids: Iterable[str]) -> dict[str, Party]:
    return {str(r[0]): Party(r[1], r[2], r[3], None, r[4]) for ids in chunks(line_ids)
            for r in connection.execute(_LINES, {"ids": ids})}  # fmt: skip
