"""The borrowing base of a secured application, from the ``finance.receipts`` read model.

What the applicant has pledged to this lender and not yet borrowed against: its live
receipts pledged to the lender that back no loan, each valued as the receipts projection
values collateral (what the warehouse still holds of it, at the lowest of market and
receipt value, less its commodity's haircut: :func:`finance_api.domain.valuation`), times
its commodity's advance rate. Receipts in another currency than the application's count
for nothing. The receipt the application names must be one of them: a receipt that is
not live, not the applicant's, not pledged to this lender, or already backing a loan is
refused (``receipt_not_pledged``, naming ``payload.receipt_id``) before anything is written.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from finance_api.domain.collateral import BP
from finance_api.domain.policies import BOOK, PolicyBook
from finance_api.domain.valuation import covered, receipt_value
from finance_api.lending.errors import LendingError
from finance_api.receipts.tables import PriceRow, ReceiptRow, StockRow


class ReceiptNotPledged(LendingError):
    """A secured application names a receipt not pledged to the lender free of any loan."""

    code = "receipt_not_pledged"
    status = 422


def borrowing_base(connection: Connection, applicant: str, lender: str, currency: str,
                   receipt_id: str, book: PolicyBook = BOOK) -> int:  # fmt: skip
    """Advance value (minor units) of the collateral pledged to ``lender`` and free."""
    r = ReceiptRow
    rows = connection.execute(
        select(r.receipt_id, r.warehouse_id, r.lot_id, r.commodity, r.live_milli,
               r.quantity_milli, r.value_minor, r.currency)
        .where(r.holder == applicant, r.pledged_to == lender, r.status == "live",
               r.loan_id.is_(None))
        .order_by(r.receipt_id)
    ).all()  # fmt: skip
    if receipt_id not in {row.receipt_id for row in rows}:
        raise ReceiptNotPledged(
            f"receipt {receipt_id} is not a live receipt of {applicant} pledged to {lender} "
            "and free of any loan",
            field="payload.receipt_id",
        )
    prices = {
        str(c): int(p)
        for c, p in connection.execute(
            select(PriceRow.commodity, PriceRow.price_minor).where(
                PriceRow.commodity.in_(sorted({row.commodity for row in rows}))
            )
        )
    }
    total = 0
    for row in rows:
        if row.currency != currency:
            continue
        held = connection.execute(
            select(StockRow.held_milli).where(StockRow.warehouse_id == row.warehouse_id,
                                              StockRow.lot_id == row.lot_id,
                                              StockRow.owner == applicant)
        ).scalar_one_or_none()  # fmt: skip
        on_lot = connection.execute(
            select(func.sum(r.live_milli)).where(r.warehouse_id == row.warehouse_id,
                                                 r.lot_id == row.lot_id, r.holder == applicant,
                                                 r.status == "live")
        ).scalar_one_or_none()  # fmt: skip
        policy = book.policy_for(str(row.commodity))
        value = receipt_value(
            covered(int(row.live_milli), int(held or 0), None if on_lot is None else int(on_lot)),
            int(row.quantity_milli),
            int(row.value_minor),
            prices.get(str(row.commodity)),
            policy.haircut_bp,
        )
        total += value * policy.advance_bp // BP
    return total
