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
from dataclasses import dataclass

from sqlalchemy import Connection, and_, bindparam, select, update

from finance_api.domain.collateral import ltv_bp, ltv_state
from finance_api.domain.policies import PolicyBook
from finance_api.domain.valuation import covered, receipt_value
from finance_api.receipts.tables import LoanRow, PriceRow, ReceiptRow, StockRow

UNSECURED = "unsecured"


@dataclass(frozen=True, slots=True)
class Mark:
    loan_id: str
    value_minor: int
    ltv_bp: int | None
    state: str | None


def _prices(connection: Connection, commodities: Iterable[str]) -> dict[str, int]:
    names = sorted(set(commodities))
    if not names:
        return {}
    rows = connection.execute(
        select(PriceRow.commodity, PriceRow.price_minor).where(PriceRow.commodity.in_(names))
    )
    return {str(r.commodity): int(r.price_minor) for r in rows}


def marks(
    connection: Connection,
    book: PolicyBook,
    *,
    loan_ids: Iterable[str] = (),
    commodity: str | None = None,
) -> list[Mark]:
    """The current marks of the given loans (or of every open loan against ``commodity``)."""
    loans = select(
        LoanRow.loan_id,
        LoanRow.lender,
        LoanRow.owed_fees,
        LoanRow.owed_interest,
        LoanRow.owed_principal,
    ).where(LoanRow.status.in_(("open", "defaulted")))
    if commodity is not None:
        pledged = select(ReceiptRow.loan_id).where(
            ReceiptRow.commodity == commodity, ReceiptRow.loan_id.is_not(None)
        )
        loans = loans.where(LoanRow.loan_id.in_(pledged))
    else:
        loans = loans.where(LoanRow.loan_id.in_(sorted(set(loan_ids))))
    owed = {
        str(r.loan_id): (str(r.lender), int(r.owed_fees + r.owed_interest + r.owed_principal))
        for r in connection.execute(loans)
    }
    if not owed:
        return []
    collateral = connection.execute(
        select(
            ReceiptRow.loan_id,
            ReceiptRow.pledged_to,
            ReceiptRow.commodity,
            ReceiptRow.live_milli,
            ReceiptRow.quantity_milli,
            ReceiptRow.value_minor,
            StockRow.held_milli,
        )
        .join(
            StockRow,
            and_(
                StockRow.warehouse_id == ReceiptRow.warehouse_id,
                StockRow.lot_id == ReceiptRow.lot_id,
                StockRow.owner == ReceiptRow.holder,
            ),
        )
        .where(ReceiptRow.loan_id.in_(sorted(owed)), ReceiptRow.status == "live")
    ).all()
    prices = _prices(connection, (str(r.commodity) for r in collateral))
    values: dict[str, int] = defaultdict(int)
    kinds: dict[str, str] = {}
    for r in collateral:
        loan_id = str(r.loan_id)
        if r.pledged_to != owed[loan_id][0]:
            continue
        policy = book.policy_for(str(r.commodity))
        kinds.setdefault(loan_id, str(r.commodity))
        values[loan_id] += receipt_value(
            covered(int(r.live_milli), int(r.held_milli)),
            int(r.quantity_milli),
            int(r.value_minor),
            prices.get(str(r.commodity)),
            policy.haircut_bp,
        )
    out = []
    for loan_id, (_, total) in sorted(owed.items()):
        if loan_id not in kinds:
            out.append(Mark(loan_id, 0, None, UNSECURED))
            continue
        policy = book.policy_for(kinds[loan_id])
        value = values[loan_id]
        out.append(
            Mark(loan_id, value, ltv_bp(total, value), ltv_state(total, value, policy).value)
        )
    return out


def store(connection: Connection, found: list[Mark]) -> None:
    if not found:
        return
    statement = (
        update(LoanRow)
        .where(LoanRow.loan_id == bindparam("b_loan"))
        .values(
            value_minor=bindparam("b_value"),
            ltv_bp=bindparam("b_ltv"),
            ltv_state=bindparam("b_state"),
        )
    )
    connection.execute(
        statement,
        [
            {"b_loan": m.loan_id, "b_value": m.value_minor, "b_ltv": m.ltv_bp, "b_state": m.state}
            for m in found
        ],
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


def loans_on_lot(connection: Connection, warehouse: str, lot: str) -> list[str]:
    rows = connection.execute(
        select(ReceiptRow.loan_id).where(
            ReceiptRow.warehouse_id == warehouse,
            ReceiptRow.lot_id == lot,
            ReceiptRow.loan_id.is_not(None),
        )
    )
    return sorted({str(r.loan_id) for r in rows})
