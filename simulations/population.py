"""Building the population: who the participants are, drawn once from the seed.

The population stream is its own random generator, so scenario switches (financing,
shocks, null logistics) never change who exists; keys come from
:func:`simulations.signer.agent_key`. Infrastructure scales with the population: one
warehouse per 400 participants, one lender per 200 (at least five, each with its own
appetite), an inspection body and a price publisher.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulations.agents import Agent, Buyer, Identity, Seller
from simulations.config import Market, SimulationConfig
from simulations.login_profiles import Devices, assign_profiles
from simulations.signer import Signer, agent_key
from simulations.underwriting import LenderPolicy, draw_policies

_ADJECTIVES = (
    "Golden", "Bright", "Pacific", "Harbor", "Silver", "Eastern", "Jade", "Summit", "Blue",
    "Red", "Lotus", "Pearl", "Swift", "Unity", "Grand", "Star", "Green", "Sunrise", "Ocean",
    "Crystal", "Prime", "Royal", "Noble", "Vivid",
)  # fmt: skip
_NOUNS = (
    "River", "Bridge", "Crane", "Lantern", "Peak", "Orchid", "Phoenix", "Anchor", "Forest",
    "Harvest", "Compass", "Bamboo", "Falcon", "Maple", "Horizon", "Cedar", "Dragon", "Willow",
    "Meadow", "Beacon",
)  # fmt: skip
_SUFFIX = {
    "US": "Inc.", "GB": "Ltd", "DE": "GmbH", "FR": "SARL", "ES": "S.L.", "IT": "S.r.l.",
    "NL": "B.V.", "PL": "Sp. z o.o.", "JP": "K.K.", "KR": "Co., Ltd.", "BR": "Ltda.",
    "MX": "S.A. de C.V.", "RU": "OOO", "AE": "LLC", "SA": "LLC", "AU": "Pty Ltd",
    "CA": "Inc.", "CN": "Trading Co., Ltd.", "HK": "Limited", "VN": "Co., Ltd.",
}  # fmt: skip


def _name(rng: random.Random, country: str) -> str:
    suffix = _SUFFIX.get(country, "Ltd")
    return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {suffix}"


def _pick(rng: random.Random, cumulative: Sequence[float]) -> int:
    return min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


@dataclass(slots=True)
class Population:
    """Everyone in the simulation, by role."""

    markets: tuple[Market, ...]
    platform: Agent
    inspector: Agent
    price_publisher: Agent
    customs: list[Agent]  # one per market, same index
    warehouses: list[Agent]
    warehouse_market: list[int | None]  # market index of overseas warehouses
    carriers: list[Agent]
    lenders: list[Agent]
    lender_policies: list[LenderPolicy]
    sellers: list[Seller]
    buyers: list[Buyer]
    buyers_by_market: list[list[int]]

    def everyone(self) -> list[Agent]:
        return [
            self.platform,
            self.inspector,
            self.price_publisher,
            *self.customs,
            *self.warehouses,
            *self.carriers,
            *self.lenders,
            *self.sellers,
            *self.buyers,
        ]


def build_population(config: SimulationConfig) -> Population:
    rng = random.Random(f"threeflow-sim/{config.seed}/population")
    pop = config.population
    n = config.participants
    k = min(len(config.markets), max(pop.min_markets, n // pop.participants_per_market))
    total_share = sum(m.share for m in config.markets[:k])
    markets = tuple(config.markets[:k])
    market_weights = _cumulative([m.share / total_share for m in markets])

    def agent(pid: str, role: str, country: str, tz: str, offset: int, kind: str) -> Identity:
        return Identity(pid, _name(rng, country), role, country, tz, offset, kind)

    def signer(pid: str) -> Signer:
        return Signer(pid, agent_key(config.seed, pid))

    home, _, home_tz, home_offset = config.seller_countries[0]
    platform_id = "platform-0001"
    platform = Agent(
        agent(platform_id, "platform", home, home_tz, home_offset, "platform"), signer(platform_id)
    )
    inspector_id, publisher_id = "inspector-0001", "price-publisher-0001"
    inspector = Agent(Identity(inspector_id, "National inspection body", "inspector", home,
                               home_tz, home_offset, "inspector"),
                      signer(inspector_id))  # fmt: skip
    publisher = Agent(Identity(publisher_id, "Commodity price publisher", "price_publisher",
                               home, home_tz, home_offset, "price_publisher"),
                      signer(publisher_id))  # fmt: skip
    customs = []
    for market in markets:
        pid = f"customs-{market.country.lower()}"
        ident = Identity(pid, f"Customs authority {market.country}", "customs", market.country,
                         market.timezone, market.utc_offset_minutes, "customs")  # fmt: skip
        customs.append(Agent(ident, signer(pid)))
    warehouses: list[Agent] = []
    warehouse_market: list[int | None] = []
    kinds = [name for name, _ in pop.warehouse_kinds]
    kind_weights = _cumulative([w for _, w in pop.warehouse_kinds])
    for i in range(max(3, n // pop.warehouses_per)):
        kind = kinds[i] if i < len(kinds) else kinds[_pick(rng, kind_weights)]
        pid = f"warehouse-{i + 1:04d}"
        if kind == "overseas":
            mi = _pick(rng, market_weights)
            m = markets[mi]
            ident = agent(pid, "warehouse", m.country, m.timezone, m.utc_offset_minutes, kind)
            warehouse_market.append(mi)
        else:
            ident = agent(pid, "warehouse", home, home_tz, home_offset, kind)
            warehouse_market.append(None)
        warehouses.append(Agent(ident, signer(pid)))
    carriers = [
        Agent(agent(pid, "carrier", home, home_tz, home_offset, "carrier"), signer(pid))
        for pid in (f"carrier-{i + 1:04d}" for i in range(max(2, n // pop.carriers_per)))
    ]
    lenders = [
        Agent(agent(pid, "lender", home, home_tz, home_offset, "lender"), signer(pid))
        for pid in (
            f"lender-{i + 1:04d}" for i in range(max(pop.min_lenders, n // pop.lenders_per))
        )
    ]
    policies = draw_policies(config.credit, rng, len(lenders))
    infra = 3 + len(customs) + len(warehouses) + len(carriers) + len(lenders)
    firms = n - infra
    n_sellers = round(firms * pop.seller_share)
    buyers = _build_buyers(config, rng, markets, market_weights, firms - n_sellers, signer)
    buyers_by_market: list[list[int]] = [[] for _ in markets]
    for index, buyer in enumerate(buyers):
        buyers_by_market[buyer.market].append(index)
    sellers = _build_sellers(
        config, rng, n_sellers, market_weights, warehouse_market, len(lenders), len(carriers),
        signer,
    )  # fmt: skip
    for seller in sellers:
        pool = [i for mi in seller.markets for i in buyers_by_market[mi]] or list(
            range(len(buyers))
        )
        seller.buyers = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
    devices = Devices(config.seed)
    assign_profiles(config.logins, rng, devices, sellers, [s.fraud for s in sellers], True)
    assign_profiles(config.logins, rng, devices, buyers, [b.fraud for b in buyers], False)
    return Population(
        markets, platform, inspector, publisher, customs, warehouses, warehouse_market,
        carriers, lenders, policies, sellers, buyers, buyers_by_market,
    )  # fmt: skip


def _build_buyers(
    config: SimulationConfig,
    rng: random.Random,
    markets: tuple[Market, ...],
    market_weights: list[float],
    count: int,
    signer: Callable[[str], Signer],
) -> list[Buyer]:
    pop, trade, fraud = config.population, config.trade, config.fraud
    buyers = []
    for i in range(count):
        pid = f"buyer-{i + 1:06d}"
        mi = _pick(rng, market_weights)
        m = markets[mi]
        distributor = rng.random() < pop.distributor_share
        kind = "distributor" if distributor else "etailer"
        is_fraud = rng.random() < fraud.buyer_share
        terms = trade.distributor_terms if distributor else trade.etailer_terms
        ident = Identity(pid, _name(rng, m.country), "buyer", m.country, m.timezone,
                         m.utc_offset_minutes, kind)  # fmt: skip
        buyers.append(
            Buyer(
                ident,
                signer(pid),
                market=mi,
                channel=rng.choice(pop.channels),
                terms_days=max(terms) if is_fraud else rng.choice(terms),
                discipline=rng.gauss(0.0, 1.0),
                fraud=is_fraud,
            )
        )
    return buyers


def _build_sellers(
    config: SimulationConfig,
    rng: random.Random,
    count: int,
    market_weights: list[float],
    warehouse_market: list[int | None],
    n_lenders: int,
    n_carriers: int,
    signer: Callable[[str], Signer],
) -> list[Seller]:
    trade = config.trade
    size_w = _cumulative([s.share for s in config.sizes])
    sector_w = _cumulative([s.share for s in config.sectors])
    country_w = _cumulative([c[1] for c in config.seller_countries])
    corr = trade.quality_corr
    sellers = []
    for i in range(count):
        pid = f"seller-{i + 1:06d}"
        size = config.sizes[_pick(rng, size_w)]
        si = config.sectors.index(config.sectors[_pick(rng, sector_w)])
        sector = config.sectors[si]
        country, _, tz, offset = config.seller_countries[_pick(rng, country_w)]
        credit = rng.gauss(0.0, 1.0)
        quality = corr * credit + math.sqrt(1 - corr * corr) * rng.gauss(0.0, 1.0)
        independent = rng.gauss(0.0, 1.0)  # logistics quality of the null-logistics world
        logistics = quality if config.logistics_informative else independent
        warehouse: int | None = None
        if rng.random() < size.warehouse_share:
            warehouse = rng.randrange(len(warehouse_market))
        wm = warehouse_market[warehouse] if warehouse is not None else None
        if wm is not None:
            markets: tuple[int, ...] = (wm,)
        else:
            markets = tuple(sorted({_pick(rng, market_weights) for _ in range(rng.randint(1, 3))}))
        sales = size.orders_per_month * size.order_value_usd * 100
        sales *= math.exp(trade.order_value_sigma**2 / 2)
        fixed = round(trade.overhead_share * sector.gross_margin * sales)
        monthly_cost = fixed + (1 - sector.gross_margin) * sales
        cash = round(size.cash_months * monthly_cost * math.exp(0.3 * credit + rng.gauss(0, 0.5)))
        ident = Identity(pid, _name(rng, country), "seller", country, tz, offset, size.name)
        seller = Seller(
            ident,
            signer(pid),
            num=i + 1,
            size=config.sizes.index(size),
            sector=si,
            markets=markets,
            warehouse=warehouse,
            lender=rng.randrange(n_lenders),
            carrier=rng.randrange(n_carriers),
            credit=credit,
            quality=quality,
            logistics=logistics,
            cash=cash,
            fixed_cost=fixed,
            fraud=rng.random() < config.fraud.seller_share,
        )
        seller.fraud_from = 3 + rng.randrange(config.fraud.spread_months)
        _initial_distress(config, rng, seller, size.distress_hazard)
        seller.monthly_cost = round(monthly_cost)
        seller.expected_sales = round(sales)
        sellers.append(seller)
    return sellers


def _initial_distress(
    config: SimulationConfig, rng: random.Random, seller: Seller, hazard: float
) -> None:
    """Some firms are already in trouble on the first day, as many as in any month later."""
    cfg = config.distress
    months = (cfg.cut_months[0] + cfg.cut_months[1]) / 2
    share = hazard * math.exp(-cfg.hazard_per_sd * seller.credit) * months
    if rng.random() < share:
        seller.demand_cut = rng.uniform(*cfg.demand_cut)
        seller.distress_left = rng.randint(1, cfg.cut_months[1])
