"""Collateral policy per commodity: advance rate, margin-call and liquidation LTV, haircut,
cure period — and the business-day calendar the cure period counts in.

The default policy is 70% advance, margin call at 80% LTV, liquidation at 90% LTV, no
haircut and 5 business days to cure. Commodities belong to a class with its own points
and haircut (quality deduction); the table below is the configuration, kept here so the
projection, the API and the simulation apply one rule. Change it by passing another
:class:`PolicyBook` to the projector (``finance_api.receipts.projector.ReceiptsProjector``);
a ledger must be verified with the book it was written with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from finance_api.domain.collateral import CollateralPolicy

DEFAULT = CollateralPolicy(
    advance_bp=7_000,
    margin_call_bp=8_000,
    liquidation_bp=9_000,
    haircut_bp=0,
    cure_business_days=5,
)

CLASSES: Mapping[str, CollateralPolicy] = MappingProxyType(
    {
        "base_metals": CollateralPolicy(7_000, 8_000, 9_000, 300, 5),
        "agricultural": CollateralPolicy(6_500, 7_500, 8_500, 500, 5),
        "electronics": CollateralPolicy(5_500, 6_500, 7_500, 500, 5),
        "durable_goods": CollateralPolicy(5_500, 6_500, 7_500, 500, 5),
        "soft_goods": CollateralPolicy(5_000, 6_000, 7_000, 800, 5),
        "perishable_goods": CollateralPolicy(5_000, 6_000, 7_000, 1_000, 5),
    }
)
"""LTV points and haircut by commodity class (DOMAIN: metals 60-80% advance, agricultural
bulk 55-75%, packaged goods 50-65%)."""

COMMODITY_CLASS: Mapping[str, str] = MappingProxyType(
    {
        "aluminium": "base_metals",
        "aluminium-products": "base_metals",
        "copper": "base_metals",
        "tea-and-nuts": "agricultural",
        "soybeans": "agricultural",
        "wheat": "agricultural",
        "consumer-electronics": "electronics",
        "home-goods": "durable_goods",
        "auto-parts": "durable_goods",
        "apparel": "soft_goods",
        "toys": "soft_goods",
        "cosmetics": "perishable_goods",
    }
)


@dataclass(frozen=True, slots=True)
class PolicyBook:
    """The policy of each commodity: its own, else its class's, else the default."""

    default: CollateralPolicy = DEFAULT
    classes: Mapping[str, CollateralPolicy] = field(default_factory=lambda: CLASSES)
    commodity_class: Mapping[str, str] = field(default_factory=lambda: COMMODITY_CLASS)
    commodities: Mapping[str, CollateralPolicy] = field(default_factory=dict)

    def policy_for(self, commodity: str) -> CollateralPolicy:
        if commodity in self.commodities:
            return self.commodities[commodity]
        klass = self.commodity_class.get(commodity)
        return self.classes.get(klass, self.default) if klass else self.default

    def describe(self) -> dict[str, dict[str, int]]:
        """Every class and the default, as served to lenders and auditors."""
        rows = {"default": self.default, **dict(self.classes)}
        return {
            name: {
                "advance_bp": p.advance_bp,
                "margin_call_bp": p.margin_call_bp,
                "liquidation_bp": p.liquidation_bp,
                "haircut_bp": p.haircut_bp,
                "cure_business_days": p.cure_business_days,
            }
            for name, p in rows.items()
        }


BOOK = PolicyBook()


def add_business_days(start: date, days: int) -> date:
    """``days`` business days (Monday to Friday; no holiday calendar) after ``start``."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
