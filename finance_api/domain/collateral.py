"""Collateral maths for warehouse-receipt lending, in integer minor units and basis points.

Collateral value CV = quantity x reference price x (1 - quality deduction), where the
reference price is the lowest of the market price and the receipt's own unit value. The
loan-to-value ratio is outstanding / CV. Three points per commodity class order the life of
a secured loan: the advance rate at origination < the margin-call LTV < the liquidation
LTV. A margin call is cured by paying down (or pledging more) back to the advance rate.
Everything rounds in the lender's favour: collateral down, required payments up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from finance_api.domain.errors import InvalidAmount

BP = 10_000


@dataclass(frozen=True, slots=True)
class CollateralPolicy:
    """Loan-to-value points for one commodity class, in basis points; cure period in days."""

    advance_bp: int = 7_000
    margin_call_bp: int = 8_000
    liquidation_bp: int = 9_000
    haircut_bp: int = 0
    cure_business_days: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.advance_bp < self.margin_call_bp < self.liquidation_bp <= BP:
            raise InvalidAmount(
                "need 0 < advance < margin call < liquidation <= 100% (in basis points)",
                field="policy",
            )
        if not 0 <= self.haircut_bp < BP:
            raise InvalidAmount("the haircut must be in [0, 100%)", field="haircut_bp")
        if self.cure_business_days < 0:
            raise InvalidAmount("the cure period cannot be negative", field="cure_business_days")


class LtvState(Enum):
    HEALTHY = "healthy"
    MARGIN_CALL = "margin_call"
    LIQUIDATION = "liquidation"


def collateral_value(
    quantity_milli: int, market_price_minor: int, receipt_unit_value_minor: int, haircut_bp: int
) -> int:
    """CV in minor units; quantities are in thousandths of a unit (1 t = 1,000 milli-t).

    The reference price is the lower of the market price and the receipt's unit value.
    """
    if min(quantity_milli, market_price_minor, receipt_unit_value_minor) < 0:
        raise InvalidAmount("quantities and prices cannot be negative", field="collateral")
    price = min(market_price_minor, receipt_unit_value_minor)
    return quantity_milli * price * (BP - haircut_bp) // (1000 * BP)


def ltv_bp(outstanding_minor: int, value_minor: int) -> int:
    """Loan-to-value in basis points, rounded up; a loan against nothing is at 100%+."""
    if outstanding_minor < 0:
        raise InvalidAmount("outstanding cannot be negative", field="outstanding")
    if outstanding_minor == 0:
        return 0
    if value_minor <= 0:
        return BP * 100
    return -(-outstanding_minor * BP // value_minor)


def ltv_state(outstanding_minor: int, value_minor: int, policy: CollateralPolicy) -> LtvState:
    return state_at(ltv_bp(outstanding_minor, value_minor), policy)


def state_at(ratio: int, policy: CollateralPolicy) -> LtvState:
    """The state of a loan at ``ratio`` basis points of loan-to-value."""
    if ratio >= policy.liquidation_bp:
        return LtvState.LIQUIDATION
    if ratio >= policy.margin_call_bp:
        return LtvState.MARGIN_CALL
    return LtvState.HEALTHY


def max_advance(value_minor: int, policy: CollateralPolicy) -> int:
    """The most a lender advances against collateral worth ``value_minor`` (rounded down)."""
    return max(0, value_minor) * policy.advance_bp // BP


def cure_paydown(outstanding_minor: int, value_minor: int, policy: CollateralPolicy) -> int:
    """What the borrower must repay to bring LTV back to the advance rate (0 if there)."""
    return max(0, outstanding_minor - max_advance(value_minor, policy))


def critical_price(
    outstanding_minor: int, quantity_milli: int, haircut_bp: int, ltv_point_bp: int
) -> int:
    """The unit price at which the loan reaches ``ltv_point_bp`` (rounded up).

    P = outstanding / (quantity x (1 - haircut) x LTV point).
    """
    if quantity_milli <= 0:
        raise InvalidAmount("quantity must be positive", field="quantity")
    denominator = quantity_milli * (BP - haircut_bp) * ltv_point_bp
    return -(-outstanding_minor * 1000 * BP * BP // denominator)


BANDS = ("within_advance", "over_advance", "margin_call", "liquidation")
"""A loan's LTV bands, best first: the risk monitor alerts when a loan moves between them."""


def band(ratio: int | None, policy: CollateralPolicy) -> str | None:
    """The band ``ratio`` (bp LTV) falls in: over the advance rate is already a limit breach
    (more is lent than the collateral supports), though not yet a margin call. None: a loan
    with no collateral has no LTV band."""
    if ratio is None:
        return None
    if ratio >= policy.liquidation_bp:
        return BANDS[3]
    if ratio >= policy.margin_call_bp:
        return BANDS[2]
    return BANDS[1] if ratio > policy.advance_bp else BANDS[0]
