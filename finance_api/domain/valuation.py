"""Collateral value of a receipt: the lowest of market and receipt value, less the haircut.

The receipt value per unit is the receipt's stated value over its quantity; the market
price is the last ``stock.price_changed`` of its commodity (absent: the receipt value
alone). Only what the warehouse still holds counts: goods lost after the receipt was
issued are not collateral. Values round down (in the lender's favour), to the minor unit.
"""

from __future__ import annotations

from finance_api.domain.collateral import BP
from finance_api.domain.errors import InvalidAmount
from finance_api.domain.quantities import MILLI


def receipt_value(
    quantity_milli: int,
    receipt_quantity_milli: int,
    receipt_value_minor: int,
    market_price_minor: int | None,
    haircut_bp: int,
) -> int:
    """CV of ``quantity_milli`` under a receipt of ``receipt_quantity_milli`` worth
    ``receipt_value_minor``, at ``market_price_minor`` a unit (None: no market price)."""
    if min(quantity_milli, receipt_quantity_milli, receipt_value_minor) < 0:
        raise InvalidAmount("quantities and values cannot be negative", field="collateral")
    if receipt_quantity_milli == 0 or quantity_milli == 0:
        return 0
    # the receipt's value of the quantity is V*q/Q, the market's P*q/1000: compare them
    # cross-multiplied and keep the lower as an exact fraction (integers only: this runs
    # for every loan on every price event)
    num, den = receipt_value_minor * quantity_milli, receipt_quantity_milli
    if market_price_minor is not None and market_price_minor * quantity_milli * den < num * MILLI:
        num, den = market_price_minor * quantity_milli, MILLI
    return num * (BP - haircut_bp) // (den * BP)


def covered(live_milli: int, held_milli: int, lot_live_milli: int | None = None) -> int:
    """What of a receipt's live quantity the warehouse still holds.

    Receipts on one lot share its stock: when the lot holds less than all its live receipts
    cover (``lot_live_milli``, this one included), each receipt counts only its pro-rata
    share, rounded down, so the receipts on a lot never count more goods than it holds.
    """
    live, held = max(0, live_milli), max(0, held_milli)
    total = live if lot_live_milli is None else max(live, lot_live_milli)
    if total <= held:
        return live
    return live * held // total
