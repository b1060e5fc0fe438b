"""Every parameter of the simulated ecosystem, as frozen settings.

Each default is documented with its source in ``simulations/README.md``; change a figure by
building a config with :func:`dataclasses.replace`, never by editing the code that reads it.
Money settings are whole US dollars (the engine converts to cents); rates are fractions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from simulations.errors import ConfigError


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


@dataclass(frozen=True, slots=True)
class Size:
    """A seller size class: how many orders a month, how large, how much cash."""

    name: str
    share: float
    orders_per_month: float
    order_value_usd: float  # median order value
    cash_months: float  # opening cash, in months of fixed costs plus goods
    warehouse_share: float  # share that stocks goods in a warehouse


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
    Size("micro", 0.62, 1.5, 400.0, 2.5, 0.15),
    Size("small", 0.30, 3.5, 1000.0, 3.0, 0.35),
    Size("medium", 0.08, 9.0, 3000.0, 3.5, 0.60),
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


@dataclass(frozen=True, slots=True)
class PopulationConfig:
    """How the participants divide between roles and kinds."""

    seller_share: float = 0.58  # of the firms left after infrastructure
    warehouses_per: int = 400  # one warehouse per this many participants (at least 3)
    carriers_per: int = 2000
    lenders_per: int = 5000
    min_lenders: int = 2
    min_markets: int = 5
    participants_per_market: int = 30  # fewer participants, fewer markets
    buyers_per_seller_pool: int = 8  # repeat buyers a seller keeps
    new_buyer_prob: float = 0.2  # share of orders from a new buyer
    distributor_share: float = 0.35  # buyers that are distributors (longer terms)
    channels: tuple[str, ...] = (
        "amazon",
        "ebay",
        "shopify",
        "walmart",
        "mercado-libre",
        "allegro",
        "rakuten",
        "offline-retail",
    )
    warehouse_kinds: tuple[tuple[str, float], ...] = (
        ("domestic", 0.3),
        ("bonded", 0.3),
        ("overseas", 0.4),
    )


@dataclass(frozen=True, slots=True)
class TradeConfig:
    """Orders, terms, logistics and the seller's cash economics."""

    order_value_sigma: float = 0.8  # log-normal dispersion of order values
    etailer_terms: tuple[int, ...] = (0, 15, 30)
    distributor_terms: tuple[int, ...] = (30, 45, 60)
    cancel_logit: float = -3.3  # base log-odds of a cancellation
    late_logit: float = -0.7  # base log-odds that a buyer pays after the due date
    late_days_mean: float = 14.0  # mean days beyond terms when late
    nonpay_logit: float = -5.2  # base log-odds that a buyer never pays
    fraud_buyer_nonpay: float = 0.6
    transit_days: tuple[int, int] = (6, 24)
    hold_days: tuple[int, int] = (4, 20)
    loss_rate: float = 0.004  # shipments lost in transit
    review_share: float = 0.35
    dispute_logit: float = -3.6
    overhead_share: float = 0.65  # fixed costs, as a share of the sector's gross profit
    margin_per_sd: float = 0.05  # gross margin gained per sd of creditworthiness
    cash_target_months: float = 4.0  # owners draw cash above this many months of costs
    owner_draw_share: float = 0.3
    supplier_credit_months: float = 1.0  # of goods bought, that suppliers carry
    failure_months: float = 2.0  # insolvent below minus this many months of costs
    stock_cover_months: float = 2.0  # warehouse sellers restock to this cover
    listing_prob: float = 0.4
    certification_prob: float = 0.02
    seller_logins: float = 2.0
    buyer_logins: float = 1.0
    quality_corr: float = 0.4  # correlation of operational quality with creditworthiness
    latent_rho: float = 0.97  # monthly autocorrelation of latent scores


@dataclass(frozen=True, slots=True)
class CreditConfig:
    """Credit lines and warehouse-receipt loans, and how lenders decide."""

    history_months: int = 3  # months of history before a seller may apply
    apply_prob: float = 0.2  # monthly chance of applying without need
    apply_need_prob: float = 0.6  # monthly chance of applying when short of cash
    min_payouts_usd: float = 2000.0  # over six months, to be approved
    min_on_time: float = 0.7  # share of deliveries on time, to be approved
    approve_prob: float = 0.8  # of applicants who pass the rule
    limit_share: float = 0.5  # of the last six months of payouts
    limit_cap_usd: float = 750_000.0
    limit_floor_usd: float = 1000.0
    line_rate: float = 0.015  # monthly interest on drawn credit lines
    line_instalments: int = 6  # a drawn balance is repaid over this many months
    receipt_rate: float = 0.01  # monthly interest on warehouse-receipt loans
    receipt_term_months: int = 3  # amortising; each instalment releases goods pro rata
    pledge_below_months: float = 2.0  # sellers pledge a new lot when cash is below this
    pledge_share: float = 0.5  # of a lot put under receipt; the rest stays free to sell
    liquidation_discount: float = 0.10
    unsecured_recovery: float = 0.25
    default_dpd: int = 90
    due_day: int = 5


@dataclass(frozen=True, slots=True)
class ShockConfig:
    """Demand, commodity, customs-policy and exchange-rate shocks."""

    demand_rho: float = 0.9
    demand_vol: float = 0.05
    demand_shock_prob: float = 0.02  # per market and month
    demand_shock_size: float = -0.35
    demand_shock_months: tuple[int, int] = (3, 8)
    policy_prob: float = 0.015  # customs tightening per market and month
    policy_hold_rate: float = 0.25
    policy_months: tuple[int, int] = (3, 6)
    fx_demand_elasticity: float = 0.8
    fx_late_sensitivity: float = 4.0  # log-odds of lateness per unit of depreciation
    demand_late_sensitivity: float = 1.5


@dataclass(frozen=True, slots=True)
class FraudConfig:
    """Who commits fraud and what the platform sees of it."""

    seller_share: float = 0.02
    buyer_share: float = 0.03
    honest_ip_mismatch: float = 0.03
    honest_billing_mismatch: float = 0.01
    honest_tz_mismatch: float = 0.02
    honest_proxy: float = 0.01
    fraud_ip_mismatch: float = 0.75
    fraud_billing_mismatch: float = 0.55
    fraud_tz_mismatch: float = 0.6
    fraud_proxy: float = 0.45
    burst_size: tuple[int, int] = (3, 8)  # applications within an hour
    ring_devices: int = 5  # devices a fraud ring shares
    spread_months: int = 12  # fraudsters start applying over this many months


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """The whole ecosystem: size, period, seed, scenario switches and parameters."""

    participants: int = 1000
    months: int = 12
    seed: int = 1
    start: date = date(2024, 1, 1)
    warehouse_financing: bool = True
    shocks: bool = True
    sectors: tuple[Sector, ...] = SECTORS
    sizes: tuple[Size, ...] = SIZES
    markets: tuple[Market, ...] = MARKETS
    seller_countries: tuple[tuple[str, float, str, int], ...] = SELLER_COUNTRIES
    population: PopulationConfig = field(default_factory=PopulationConfig)
    trade: TradeConfig = field(default_factory=TradeConfig)
    credit: CreditConfig = field(default_factory=CreditConfig)
    shock: ShockConfig = field(default_factory=ShockConfig)
    fraud: FraudConfig = field(default_factory=FraudConfig)

    def __post_init__(self) -> None:
        if not 100 <= self.participants <= 100_000:
            raise ConfigError("participants must be between 100 and 100,000", field="participants")
        if not 1 <= self.months <= 120:
            raise ConfigError("months must be between 1 and 120", field="months")
        if self.start.day != 1:
            raise ConfigError("the simulation starts on the first of a month", field="start")
        for name, parts in (
            ("sectors", [s.share for s in self.sectors]),
            ("sizes", [s.share for s in self.sizes]),
            ("markets", [m.share for m in self.markets]),
        ):
            if not parts or min(parts) < 0 or abs(sum(parts) - 1.0) > 1e-6:
                raise ConfigError("shares must be non-negative and sum to 1", field=name)
        for sector in self.sectors:
            if not sector.ltv_init_bp < sector.ltv_margin_bp < sector.ltv_liquidation_bp:
                raise ConfigError("LTV levels must rise: init < margin < liquidation",
                                  field=f"sectors.{sector.name}")  # fmt: skip

    def end(self) -> date:
        """The first day after the simulated period."""
        year, month = divmod(self.start.month - 1 + self.months, 12)
        return date(self.start.year + year, month + 1, 1)
