"""Market and commodity state: demand, exchange rates, customs policy, reference prices.

One small record per destination market and per sector, stepped once a month from the
shock stream of the seed. With shocks off every index stays at its starting level, so two
scenarios that differ only in shocks share the same population and trade draws.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from simulations.config import Market, Sector, ShockConfig


class MarketState:
    """A destination market this month."""

    __slots__ = ("demand_log", "fx_log", "market", "policy_left", "shock_left")

    def __init__(self, market: Market) -> None:
        self.market = market
        self.demand_log = 0.0
        self.fx_log = 0.0  # log of local currency per US dollar, 0 at the start
        self.shock_left = 0
        self.policy_left = 0

    def demand(self, shocks: ShockConfig) -> float:
        jump = shocks.demand_shock_size if self.shock_left > 0 else 0.0
        fx = shocks.fx_demand_elasticity * max(0.0, self.fx_log)
        return math.exp(self.demand_log + jump - fx)

    def hold_rate(self, shocks: ShockConfig) -> float:
        return shocks.policy_hold_rate if self.policy_left > 0 else self.market.hold_rate

    def stress(self, shocks: ShockConfig) -> float:
        """Added log-odds of late payment from a weak currency and weak demand."""
        weak_fx = shocks.fx_late_sensitivity * max(0.0, self.fx_log)
        weak_demand = shocks.demand_late_sensitivity * max(0.0, -math.log(self.demand(shocks)))
        return weak_fx + weak_demand

    def step(self, rng: random.Random, shocks: ShockConfig) -> None:
        self.demand_log = shocks.demand_rho * self.demand_log + rng.gauss(0.0, shocks.demand_vol)
        self.fx_log += rng.gauss(0.0, self.market.fx_vol) if self.market.fx_vol else 0.0
        self.shock_left = max(0, self.shock_left - 1)
        self.policy_left = max(0, self.policy_left - 1)
        if rng.random() < shocks.demand_shock_prob:
            self.shock_left = rng.randint(*shocks.demand_shock_months)
        if rng.random() < shocks.policy_prob:
            self.policy_left = rng.randint(*shocks.policy_months)


class CommodityState:
    """A sector's reference price, as an index over its starting price."""

    __slots__ = ("crashed", "log_index", "sector")

    def __init__(self, sector: Sector) -> None:
        self.sector = sector
        self.log_index = 0.0
        self.crashed = False

    @property
    def index(self) -> float:
        return math.exp(self.log_index)

    def unit_price_minor(self) -> int:
        return max(1, round(self.sector.unit_price_usd * 100 * self.index))

    def step(self, rng: random.Random) -> None:
        sector = self.sector
        change = sector.price_drift + rng.gauss(0.0, sector.price_vol)
        self.crashed = rng.random() < sector.jump_prob
        if self.crashed:
            change += sector.jump_size
        self.log_index += change


@dataclass(frozen=True, slots=True)
class MarketRow:
    """One market or commodity in one month, for the ground truth."""

    month: str
    name: str
    kind: str  # market | commodity
    demand_index: float
    fx_log: float
    hold_rate: float
    price_index: float
    shocked: bool
