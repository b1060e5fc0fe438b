"""Quantities as integers of thousandths of a unit, so stock sums are exact.

Payloads carry quantities as JSON numbers (``QUANTITY``); stock, receipts and valuation
work in milli-units (1 t = 1,000 milli-t). A quantity finer than a thousandth is refused
rather than rounded: a receipt must never cover a sliver more than the stock behind it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from finance_api.domain.errors import InvalidAmount

MILLI = 1000


def to_milli(value: object, *, field: str) -> int:
    """``value`` (an int, a float or a numeric string) in milli-units, exactly."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidAmount("a quantity must be a number", field=field)
    try:
        scaled = Decimal(str(value)) * MILLI
    except InvalidOperation:
        raise InvalidAmount("a quantity must be a number", field=field) from None
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise InvalidAmount("quantities are kept to a thousandth of a unit", field=field)
    if scaled < 0:
        raise InvalidAmount("a quantity cannot be negative", field=field)
    return int(scaled)


def from_milli(milli: int) -> float | int:
    """The number a payload or a response shows for ``milli`` milli-units."""
    whole, rest = divmod(milli, MILLI)
    return whole if rest == 0 else milli / MILLI
