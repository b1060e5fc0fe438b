"""Every parameter of the simulated ecosystem, as frozen settings.

Each default is documented with its source in ``simulations/README.md``; change a figure by
building a config with :func:`dataclasses.replace`, never by editing the code that reads it.
Money settings are whole US dollars (the engine converts to cents); rates are fractions.
The sector, size and market tables live in :mod:`simulations.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from simulations.errors import ConfigError
from simulations.tables import MARKETS, SECTORS, SELLER_COUNTRIES, SIZES, Market, Sector, Size

__all__ = [
    "MARKETS",
    "SECTORS",
    "SELLER_COUNTRIES",
    "SIZES",
    "ConfirmConfig",
    "CreditConfig",
    "DistressConfig",
    "FraudConfig",
    "LoginConfig",
    "Market",
    "PopulationConfig",
    "Sector",
    "ShockConfig",
    "SimulationConfig",
    "Size",
    "TradeConfig",
]


@dataclass(frozen=True, slots=True)
class PopulationConfig:
    """How the participants divide between roles and kinds."""

    seller_share: float = 0.58  # of the firms left after infrastructure
    warehouses_per: int = 400  # one warehouse per this many participants (at least 3)
    carriers_per: int = 2000
    lenders_per: int = 200  # one lender per this many participants (at least min_lenders)
    min_lenders: int = 5
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
    short_cancel_prob: float = 0.5  # a seller that cannot fund an order cancels (else delays)
    late_logit: float = -0.7  # base log-odds that a buyer pays after the due date
    late_days_mean: float = 14.0  # mean days beyond terms when late
    nonpay_logit: float = -5.2  # base log-odds that a buyer never pays
    fraud_buyer_nonpay: float = 0.6
    transit_days: tuple[int, int] = (6, 24)
    hold_days: tuple[int, int] = (4, 20)
    loss_rate: float = 0.004  # shipments lost in transit
    review_share: float = 0.35
    dispute_logit: float = -3.6
    overhead_share: float = 0.6  # fixed costs, as a share of the sector's gross profit
    margin_per_sd: float = 0.04  # gross margin gained per sd of creditworthiness
    cash_target_months: float = 4.0  # owners draw cash above this many months of costs
    owner_draw_share: float = 0.3
    supplier_credit_months: float = 1.0  # of goods bought, that suppliers carry
    failure_months: float = 2.0  # insolvent below minus this many months of costs
    restructuring_share: float = 0.15  # of insolvency filings that seek restructuring
    stock_cover_months: float = 2.0  # warehouse sellers restock to this cover
    listing_prob: float = 0.4
    certification_prob: float = 0.02
    seller_logins: float = 2.0
    buyer_logins: float = 1.0
    quality_corr: float = 0.4  # correlation of operational quality with creditworthiness
    latent_rho: float = 0.97  # monthly autocorrelation of latent scores


@dataclass(frozen=True, slots=True)
class DistressConfig:
    """Firm-specific shocks: the documented road from a healthy firm to a default.

    Each month an active seller meets a shock with its size's ``distress_hazard`` times
    ``exp(-hazard_per_sd x creditworthiness)``: a lost key buyer (demand cut for months) or
    a one-off cost (a failed supplier, a chargeback, a fine). Both drain cash; distressed
    firms seek credit and draw what they have (adverse selection).
    """

    hazard_per_sd: float = 0.6
    lost_buyer_share: float = 0.6  # of shocks; the rest are one-off costs
    demand_cut: tuple[float, float] = (0.35, 0.75)  # share of demand lost
    cut_months: tuple[int, int] = (3, 10)
    cost_months: tuple[float, float] = (1.0, 3.5)  # one-off cost, in months of fixed costs
    apply_in_distress: float = 0.7  # monthly chance a distressed firm applies for credit


@dataclass(frozen=True, slots=True)
class CreditConfig:
    """Credit lines and warehouse-receipt loans, and how lenders decide and service them."""

    existing_line_share: float = 0.25  # sellers bringing a bank line on the first day
    apply_prob: float = 0.08  # monthly chance of applying without need
    apply_need_prob: float = 0.5  # monthly chance of applying when short of cash
    history_months: tuple[int, int] = (1, 4)  # lenders' minimum months on the ledger
    min_payouts_usd: tuple[float, float] = (1000.0, 4000.0)  # over six months, by lender
    min_on_time: tuple[float, float] = (0.55, 0.75)  # by lender
    approve_prob: tuple[float, float] = (0.8, 0.95)  # manual review passes, by lender
    velocity_rule_share: float = 0.5  # lenders that decline 3+ applications in a week
    limit_share: tuple[float, float] = (0.3, 0.6)  # of six months' payouts, by lender
    limit_cap_usd: float = 750_000.0
    limit_floor_usd: float = 1000.0
    # annual, accrued daily on principal: the interest burden of the 1-2.5 % a month on the
    # whole balance the calibration was made with
    line_rate_bp: tuple[int, int] = (1_700, 4_200)  # annual interest on drawn lines, by lender
    line_instalments: int = 6  # a drawn balance is repaid over this many months
    line_term_months: int = 12  # then undrawn lines close and drawn ones amortise out
    receipt_rate_bp: int = 1_200  # annual interest on warehouse-receipt loans
    origination_fee_bp: int = 50
    late_fee_bp: int = 200  # of the unpaid amount, at least late_fee_min_usd
    late_fee_min_usd: float = 10.0
    receipt_term_months: int = 3  # amortising; each instalment releases goods pro rata
    pledge_below_months: float = 2.0  # sellers pledge a new lot when cash is below this
    pledge_share: float = 0.5  # of a lot put under receipt; the rest stays free to sell
    cure_business_days: int = 7
    liquidation_discount: float = 0.10
    freeze_dpd: int = 30
    default_dpd: int = 90
    statement_day: int = 1
    due_day: int = 20
    insolvency_recovery: tuple[float, float] = (0.2, 0.55)  # estate dividend, of the rest
    settlement_recovery: tuple[float, float] = (0.3, 0.7)  # a still-trading defaulter pays
    recovery_days: tuple[int, int] = (45, 170)  # after default; write-off follows
    write_off_days: int = 180


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
    """Who commits fraud and how: bust-outs, fictitious invoices, never-paying buyers."""

    seller_share: float = 0.02
    buyer_share: float = 0.03
    burst_share: float = 0.5  # of bust-outs that apply in a burst; the rest over weeks
    burst_size: tuple[int, int] = (3, 8)  # applications within an hour
    spread_size: tuple[int, int] = (2, 5)  # applications over four weeks
    spread_months: int = 12  # fraudsters start applying over this many months
    fictitious_invoices: float = 0.8  # monthly mean, in the three months before a bust-out


@dataclass(frozen=True, slots=True)
class LoginConfig:
    """What the platform sees of logins: honest habits and fraud overlap (see README)."""

    traveller_share: float = 0.15  # honest accounts that often log in from abroad
    traveller_abroad: float = 0.25  # of a traveller's logins
    vpn_share: float = 0.25  # accounts that use a VPN or proxy (GlobalWebIndex: 1 in 4)
    vpn_logins: float = 0.6
    foreign_card_share: float = 0.04  # accounts paying with a card billed abroad
    clock_share: float = 0.05  # devices set to another time zone
    family_share: float = 0.05  # honest sellers sharing a device with related accounts
    careless_fraud: float = 0.45  # fraud accounts that show mismatches; the rest look clean
    careless_abroad: float = 0.45
    careless_proxy: float = 0.5
    careless_card: float = 0.35
    careless_clock: float = 0.35
    ring_size: tuple[int, int] = (2, 5)  # careless fraud accounts sharing devices


@dataclass(frozen=True, slots=True)
class ConfirmConfig:
    """How often, and how fast, a bound party signs ``claim.confirmed`` (see README)."""

    institution: float = 0.99  # lenders and warehouses confirm what binds them
    buyer_invoice: float = 0.9
    buyer_delivery: float = 0.85
    seller_payment: float = 0.93
    borrower_funds: float = 0.95
    owner_goods: float = 0.9
    fraud_buyer_delivery: float = 0.3  # never-paying buyers rarely confirm delivery...
    fraud_buyer_reject: float = 0.3  # ...and some reject it ("never received")
    fictitious_reject: float = 0.4  # a buyer rejects an invoice it never ordered; else ignores
    firm_delay_days: tuple[int, int] = (1, 5)
    institution_delay_hours: tuple[int, int] = (1, 24)


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """The whole ecosystem: size, period, seed, scenario switches and parameters.

    ``logistics_informative=False`` is the null-logistics world: logistics outcomes come
    from a latent independent of everything that drives default and never move cash.
    """

    participants: int = 1000
    months: int = 12
    seed: int = 1
    start: date = date(2024, 1, 1)
    warehouse_financing: bool = True
    shocks: bool = True
    logistics_informative: bool = True
    sectors: tuple[Sector, ...] = SECTORS
    sizes: tuple[Size, ...] = SIZES
    markets: tuple[Market, ...] = MARKETS
    seller_countries: tuple[tuple[str, float, str, int], ...] = SELLER_COUNTRIES
    population: PopulationConfig = field(default_factory=PopulationConfig)
    trade: TradeConfig = field(default_factory=TradeConfig)
    distress: DistressConfig = field(default_factory=DistressConfig)
    credit: CreditConfig = field(default_factory=CreditConfig)
    shock: ShockConfig = field(default_factory=ShockConfig)
    fraud: FraudConfig = field(default_factory=FraudConfig)
    logins: LoginConfig = field(default_factory=LoginConfig)
    confirm: ConfirmConfig = field(default_factory=ConfirmConfig)

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
        if not 1 <= self.credit.statement_day < self.credit.due_day <= 27:
            raise ConfigError("statement day < due day <= 27", field="credit.due_day")

    def end(self) -> date:
        """The first day after the simulated period."""
        year, month = divmod(self.start.month - 1 + self.months, 12)
        return date(self.start.year + year, month + 1, 1)
