"""Marking loans to market: each loan's collateral value, LTV and LTV state.

A loan's collateral is the live receipts pledged to its lender for it; each counts for what
of it the warehouse still holds, at the lowest of market and receipt value less the
commodity's haircut (:func:`finance_api.domain.valuation.receipt_value`). On a price event
every open loan against that commodity is revalued in one pass: one read of loans,
receipts and stock, the rule applied in Python, one batched update.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Select, and_, bindparam, func, select
from sqlalchemy.orm import aliased

from finance_api.domain.collateral import CollateralPolicy, band, ltv_bp, state_at
from finance_api.domain.policies import PolicyBook
from finance_api.domain.valuation import covered, receipt_value
from finance_api.receipts.tables import LoanRow, PriceRow, ReceiptRow, StockRow

UNSECURED = "unsecured"
MOVES = "fin_ltv_moves"  # connection.info key: the projector's collector of band moves


class Mark(NamedTuple):
    """A loan's mark (a tuple: one is built per loan on every price event); ``move`` is the
    row of :class:`LtvMoveRow` (without seq) when its LTV band is not the stored one's."""

    loan_id: str
    value_minor: int
    ltv_bp: int | None
    state: str | None
    move: dict[str, int | str | None] | None = None


_PRICES = select(PriceRow.commodity, PriceRow.price_minor).where(
    PriceRow.commodity.in_(bindparam("names", expanding=True))
)


def _prices(connection: Connection, commodities: Iterable[str]) -> dict[str, int]:
    names = sorted(set(commodities))
    if not names:
        return {}
    rows = connection.execute(_PRICES, {"names": names})
    return {str(r.commodity): int(r.price_minor) for r in rows}


def _marks_query() -> Select[Any]:
    """Each open loan with its live receipts (outer-joined: a loan with none is unsecured),
    the stock behind each and what all live receipts on that lot cover."""
    collateral = and_(
        ReceiptRow.loan_id == LoanRow.loan_id,
        ReceiptRow.status == "live",
        ReceiptRow.pledged_to == LoanRow.lender,
    )
    behind = and_(
        StockRow.warehouse_id == ReceiptRow.warehouse_id,
        StockRow.lot_id == ReceiptRow.lot_id,
        StockRow.owner == ReceiptRow.holder,
    )
    peer = aliased(ReceiptRow)
    on_lot = (  # what all live receipts on the lot cover (they share its stock): an indexed
        # lookup per receipt, so revaluing one loan never aggregates the whole table
        select(func.sum(peer.live_milli))
        .where(
            peer.warehouse_id == ReceiptRow.warehouse_id,
            peer.lot_id == ReceiptRow.lot_id,
            peer.holder == ReceiptRow.holder,
            peer.status == "live",
        )
        .correlate(ReceiptRow)
        .scalar_subquery()
    )
    query = (
        select(
            LoanRow.loan_id,
            LoanRow.owed_fees,
            LoanRow.owed_interest,
            LoanRow.owed_principal,
            LoanRow.ltv_bp,
            ReceiptRow.commodity,
            ReceiptRow.live_milli,
            ReceiptRow.quantity_milli,
            ReceiptRow.value_minor,
            StockRow.held_milli,
            on_lot,
        )
        .select_from(LoanRow)
        .outerjoin(ReceiptRow, collateral)
        .outerjoin(StockRow, behind)
        .where(LoanRow.status.in_(("open", "defaulted")))
    )
    return cast("Select[Any]", query)  # eleven columns: past SQLAlchemy's typed overloads


# Built once (building this statement costs more than running it for one loan, and every
# disbursement, repayment and price event runs it): by loan ids, or by commodity.
_MARKS_OF_LOANS = _marks_query().where(LoanRow.loan_id.in_(bindparam("ids", expanding=True)))
_MARKS_OF_COMMODITY = _marks_query().where(
    LoanRow.loan_id.in_(
        select(ReceiptRow.loan_id).where(
            ReceiptRow.commodity == bindparam("commodity"), ReceiptRow.loan_id.is_not(None)
        )
    )
)


def marks(
    connection: Connection,
    book: PolicyBook,
    *,
    loan_ids: Iterable[str] = (),
    commodity: str | None = None,
) -> list[Mark]:
    """The current marks of the given loans (or of every open loan against ``commodity``).

    One query (:func:`_marks_query`); then the rule, loan by loan, in Python.
    """
    if commodity is not None:
        rows = connection.execute(_MARKS_OF_COMMODITY, {"commodity": commodity}).all()
    else:
        ids = sorted(set(loan_ids))
        if not ids:
            return []
        rows = connection.execute(_MARKS_OF_LOANS, {"ids": ids}).all()
    prices = _prices(connection, {str(r[5]) for r in rows if r[5] is not None})
    owed: dict[str, int] = {}
    stored: dict[str, int | None] = {}
    values: dict[str, int] = defaultdict(int)
    quantities: dict[str, int] = defaultdict(int)
    kinds: dict[str, str] = {}
    policies: dict[str, CollateralPolicy] = {}
    for loan_id, fees, interest, principal, was, kind, live, quantity, value, held, lot in rows:
        owed[loan_id] = fees + interest + principal
        stored[loan_id] = was
        if kind is None:
            continue
        policy = policies.get(kind) or policies.setdefault(kind, book.policy_for(kind))
        kinds.setdefault(loan_id, kind)
        cover = covered(live, held or 0, None if lot is None else int(lot))
        quantities[loan_id] += cover
        values[loan_id] += receipt_value(cover, quantity, value, prices.get(kind),
                                         policy.haircut_bp)  # fmt: skip
    out = []
    for loan_id, total in owed.items():
        if loan_id not in kinds:
            out.append(Mark(loan_id, 0, None, UNSECURED))
            continue
        worth = values[loan_id]
        ratio = ltv_bp(total, worth)
        policy = policies[kinds[loan_id]]
        now, before = band(ratio, policy), band(stored[loan_id], policy)
        move = None
        if now != before and (before, now) != (None, "within_advance"):
            move = {"loan_id": loan_id, "band_from": before, "band": now, "ltv_bp": ratio,
                    "owed_minor": total, "value_minor": worth,
                    "quantity_milli": quantities[loan_id],
                    "price_minor": prices.get(kinds[loan_id]),
                    "advance_bp": policy.advance_bp, "margin_call_bp": policy.margin_call_bp,
                    "liquidation_bp": policy.liquidation_bp}  # fmt: skip
        out.append(Mark(loan_id, worth, ratio, state_at(ratio, policy).value, move))
    return out


def _collect(connection: Connection, found: list[Mark]) -> None:
    """Hand band moves to the projector's per-entry collector (first origin, last figures:
    two revaluations in one entry make one move, or none if the band came back)."""
    collector: dict[str, dict[str, int | str | None]] | None = connection.info.get(MOVES)
    if collector is None:
        return
    for mark in found:
        if mark.move is not None:
            first = collector.get(mark.loan_id)
            start = mark.move["band_from"] if first is None else first["band_from"]
            collector[mark.loan_id] = {**mark.move, "band_from": start}


_CHUNK = 2000


def store(connection: Connection, found: list[Mark]) -> None:
    """Write the marks: at driver level, since on a price event there is one per loan.

    SQLite takes an ``executemany`` of one ``UPDATE``; PostgreSQL one ``UPDATE ... FROM
    (VALUES ...)`` per chunk, a round trip per 2,000 loans instead of one per loan.
    """
    if not found:
        return
    _collect(connection, found)
    table = LoanRow.__tablename__
    if connection.dialect.name != "postgresql":
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"UPDATE {table} SET value_minor = {marker}, ltv_bp = {marker}, ltv_state = {marker} "
            f"WHERE loan_id = {marker}",
            [(m.value_minor, m.ltv_bp, m.state, m.loan_id) for m in found],
        )
        return
    for start in range(0, len(found), _CHUNK):
        chunk = found[start : start + _CHUNK]
        rows = ", ".join(["(%s, %s::bigint, %s::integer, %s::varchar)"] * len(chunk))
        params = tuple(v for m in chunk for v in (m.loan_id, m.value_minor, m.ltv_bp, m.state))
        connection.exec_driver_sql(
            f"UPDATE {table} AS l SET value_minor = v.value, ltv_bp = v.ltv, ltv_state = v.state "
            f"FROM (VALUES {rows}) AS v(loan_id, value, ltv, state) WHERE l.loan_id = v.loan_id",
            params,
        )


def revalue(connection: Connection, book: PolicyBook, loan_ids: Iterable[str]) -> list[Mark]:
    ids = [i for i in loan_ids if i]
    found = marks(connection, book, loan_ids=ids) if ids else []
    store(connection, found)
    return found


def revalue_commodity(connection: Connection, book: PolicyBook, commodity: str) -> int:
    found = marks(connection, book, commodity=commodity)
    store(connection, found)
    return len(found)


_LOANS_ON_LOT = select(ReceiptRow.loan_id).where(
    ReceiptRow.warehouse_id == bindparam("w"),
    ReceiptRow.lot_id == bindparam("l"),
    ReceiptRow.loan_id.is_not(None),
)


def loans_on_lot(connection: Connection, warehouse: str, lot: str) -> list[str]:
    rows = connection.execute(_LOANS_ON_LOT, {"w": warehouse, "l": lot})
    return sorted({str(r.loan_id) for r in rows})
