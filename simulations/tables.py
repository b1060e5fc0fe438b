"""The fixed tables of the simulated world: export sectors, seller sizes, markets.

Each row is a frozen setting (change one with :func:`dataclasses.replace` and pass the new
tuple to :class:`simulations.config.SimulationConfig`); sources in ``simulations/README.md``.
A sector's loan-to-value points become a :class:`finance_api.domain.collateral.
CollateralPolicy`, so the simulation and the finance service apply one rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from finance_api.domain.collateral import CollateralPolicy


@dataclass(frozen=True, slots=True)
class Sector:
    """An export sector: what its sellers make, what it earns, how its price moves."""

    name: str
    share: float
    commodity: str
    unit: str
    unit_price_usd: float
    gross_margin: float
    price_vol: float  # monthly standard deviation of the log price
    price_drift: float  # monthly drift of the log price
    jump_prob: float  # monthly chance of a price crash
    jump_size: float  # log change of a crash (negative)
    ltv_init_bp: int
    ltv_margin_bp: int
    ltv_liquidation_bp: int
    quality_deduction_bp: int
    standard: str

    def collateral_policy(self, cure_business_days: int) -> CollateralPolicy:
        """This sector's LTV points as the finance domain's policy (one rule for both)."""
        return CollateralPolicy(
            advance_bp=self.ltv_init_bp,
            margin_call_bp=self.ltv_margin_bp,
            liquidation_bp=self.ltv_liquidation_bp,
            haircut_bp=self.quality_deduction_bp,
            cure_business_days=cure_business_days,
        )


@dataclass(frozen=True, slots=True)
class Size:
    """A seller size class: how many orders a month, how large, how much cash."""

    name: str
    share: float
    orders_per_month: float
    order_value_usd: float  # median order value
    cash_months: float  # opening cash, in months of fixed costs plus goods
    warehouse_share: float  # share that stocks goods in a warehouse
    distress_hazard: float  # monthly chance of a firm-specific shock (lost buyer, cost shock)


@dataclass(frozen=True, slots=True)
class Market:
    """A destination country: its share of buyers, clock, currency risk and customs."""

    country: str
    share: float
    timezone: str
    utc_offset_minutes: int
    fx_vol: float  # monthly standard deviation of the log exchange rate
    hold_rate: float  # base share of declarations held by customs
    late_bias: float  # shifts the log-odds of paying late


SECTORS: tuple[Sector, ...] = (
    Sector("electronics", 0.20, "consumer-electronics", "pcs", 25.0, 0.22, 0.03, -0.004,
           0.02, -0.15, 5500, 6500, 7500, 500, "CE"),
    Sector("apparel", 0.18, "apparel", "pcs", 8.0, 0.35, 0.025, 0.0,
           0.015, -0.12, 5000, 6000, 7000, 800, "OEKO-TEX"),
    Sector("home_garden", 0.16, "home-goods", "pcs", 15.0, 0.30, 0.02, 0.0,
           0.015, -0.10, 5500, 6500, 7500, 500, "BSCI"),
    Sector("toys", 0.10, "toys", "pcs", 6.0, 0.32, 0.02, 0.0,
           0.015, -0.10, 5000, 6000, 7000, 800, "EN71"),
    Sector("beauty", 0.10, "cosmetics", "pcs", 5.0, 0.45, 0.02, 0.0,
           0.015, -0.10, 5000, 6000, 7000, 1000, "GMPC"),
    Sector("auto_parts", 0.10, "auto-parts", "pcs", 30.0, 0.25, 0.025, 0.0,
           0.02, -0.12, 5500, 6500, 7500, 500, "IATF16949"),
    Sector("metals", 0.08, "aluminium-products", "kg", 3.0, 0.15, 0.06, 0.0,
           0.04, -0.20, 7000, 8000, 9000, 300, "ISO9001"),
    Sector("agri_food", 0.08, "tea-and-nuts", "kg", 12.0, 0.20, 0.05, 0.0,
           0.03, -0.18, 6500, 7500, 8500, 500, "HACCP"),
)  # fmt: skip

SIZES: tuple[Size, ...] = (
    Size("micro", 0.62, 1.5, 400.0, 3.5, 0.15, 0.0035),
    Size("small", 0.30, 3.5, 1000.0, 3.0, 0.35, 0.004),
    Size("medium", 0.08, 9.0, 3000.0, 3.5, 0.60, 0.007),
)

MARKETS: tuple[Market, ...] = (
    Market("US", 0.30, "America/New_York", -300, 0.0, 0.03, 0.0),
    Market("GB", 0.07, "Europe/London", 0, 0.02, 0.03, 0.2),
    Market("DE", 0.07, "Europe/Berlin", 60, 0.02, 0.02, -0.2),
    Market("JP", 0.06, "Asia/Tokyo", 540, 0.025, 0.02, -0.4),
    Market("FR", 0.05, "Europe/Paris", 60, 0.02, 0.03, 0.2),
    Market("BR", 0.05, "America/Sao_Paulo", -180, 0.05, 0.08, 0.6),
    Market("RU", 0.05, "Europe/Moscow", 180, 0.06, 0.10, 0.6),
    Market("CA", 0.04, "America/Toronto", -300, 0.015, 0.03, 0.0),
    Market("AU", 0.04, "Australia/Sydney", 600, 0.025, 0.03, 0.0),
    Market("ES", 0.04, "Europe/Madrid", 60, 0.02, 0.03, 0.4),
    Market("IT", 0.04, "Europe/Rome", 60, 0.02, 0.03, 0.5),
    Market("KR", 0.04, "Asia/Seoul", 540, 0.025, 0.02, -0.2),
    Market("MX", 0.04, "America/Mexico_City", -360, 0.04, 0.07, 0.5),
    Market("NL", 0.03, "Europe/Amsterdam", 60, 0.02, 0.02, -0.1),
    Market("PL", 0.03, "Europe/Warsaw", 60, 0.03, 0.04, 0.2),
    Market("AE", 0.03, "Asia/Dubai", 240, 0.0, 0.05, 0.3),
    Market("SA", 0.02, "Asia/Riyadh", 180, 0.0, 0.06, 0.3),
)

SELLER_COUNTRIES: tuple[tuple[str, float, str, int], ...] = (
    ("CN", 0.88, "Asia/Shanghai", 480),
    ("HK", 0.06, "Asia/Hong_Kong", 480),
    ("VN", 0.06, "Asia/Ho_Chi_Minh", 420),
)
