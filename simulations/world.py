"""The shared state one simulated month works on, and the actions agents schedule.

Each seller keeps its own calendar of actions (a heap of ``(when, tick, action, data)``);
the engine runs a seller's actions in time order, month by month. Handlers (in ``orders``,
``shipping``, ``payments``, ``stock``, ``applications``, ``credit_lines``, ``receipts``,
``servicing``, ``defaults``, ``logins`` and ``listings``) receive the world, the seller, the
seller's random generator for the month, the time and the action's data.
"""

from __future__ import annotations

import heapq
import math
import random
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from typing import Any

from simulations.agents import Agent, Seller
from simulations.config import SimulationConfig
from simulations.emitter import Emitter
from simulations.markets import CommodityState, MarketState
from simulations.metrics import MonthMetrics
from simulations.population import Population
from simulations.underwriting import LenderPolicy


class Action(IntEnum):
    EMIT = 1
    ORDER = 2
    DELIVERED = 3
    PAY_DUE = 4
    PAYMENT = 5
    LOST = 6
    FIXED = 7
    STATEMENT = 8
    DUE = 9
    DPD = 10
    REVALUE = 11
    CURE = 12
    RESTOCK = 13
    RECEIVED = 14
    COUNT = 15
    LOGIN = 16
    LISTING = 17
    CERT = 18
    APPLY = 19
    DISPUTE_RESOLVE = 20
    NONPAY_DISPUTE = 21
    ACCELERATE = 22
    RECOVER = 23
    WRITE_OFF = 24
    FICTITIOUS = 25
    PLEDGE_DECISION = 26


def month_start(start: date, month: int) -> datetime:
    year, index = divmod(start.month - 1 + month, 12)
    return datetime(start.year + year, index + 1, 1, tzinfo=UTC)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def add_business_days(day: date, count: int) -> date:
    """``count`` working days (Monday to Friday) after ``day``."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class World:
    """Everything a month of simulation reads and writes, apart from agents' own state."""

    def __init__(self, config: SimulationConfig, population: Population, emitter: Emitter) -> None:
        self.config = config
        self.pop = population
        self.emitter = emitter
        self.markets = [MarketState(m) for m in population.markets]
        self.commodities = [CommodityState(s) for s in config.sectors]
        self.policies = [s.collateral_policy(config.credit.cure_business_days)
                         for s in config.sectors]  # fmt: skip
        self.month = -1
        self.start = month_start(config.start, 0)
        self.month_begin = self.start
        self.month_end = self.start
        self.metrics = MonthMetrics(month="")
        self.closed_facilities: list[Any] = []  # outcomes for the ground truth, this month
        self.current: Seller | None = None  # whose calendar takes events due next month

    def begin(self, month: int) -> None:
        self.month = month
        self.month_begin = month_start(self.config.start, month)
        self.month_end = month_start(self.config.start, month + 1)
        self.metrics = MonthMetrics(month=self.month_begin.strftime("%Y-%m"))

    @staticmethod
    def push(seller: Seller, when: datetime, action: Action, data: Any = None) -> None:
        seller.tick += 1
        heapq.heappush(seller.agenda, (when, seller.tick, action, data))

    def emit(
        self,
        agent: Agent,
        flow: str,
        etype: str,
        payload: dict[str, Any],
        when: datetime,
        subjects: tuple[str, ...] = (),
    ) -> str:
        """Emit now, or, if ``when`` falls after this month, when its month is simulated."""
        if when >= self.month_end and self.current is not None:
            return self.later(self.current, when, agent, flow, etype, payload, subjects)
        return self.emitter.emit(agent, flow, etype, payload, when, subjects)

    def later(
        self,
        seller: Seller,
        when: datetime,
        agent: Agent,
        flow: str,
        etype: str,
        payload: dict[str, Any],
        subjects: tuple[str, ...] = (),
    ) -> str:
        """Schedule an event to be emitted at ``when``; its id is drawn now and returned."""
        event_id = self.emitter.new_id()
        self.push(seller, when, Action.EMIT, (agent, flow, etype, payload, subjects, event_id))
        return event_id

    def random_time(self, rng: random.Random, first_day: int = 1, last_day: int = 31) -> datetime:
        begin = self.month_begin + timedelta(days=first_day - 1)
        end = min(self.month_end, self.month_begin + timedelta(days=last_day))
        return begin + timedelta(seconds=rng.randrange(max(1, int((end - begin).total_seconds()))))

    def at_day(self, day: int, hour: int) -> datetime:
        return self.month_begin + timedelta(days=day - 1, hours=hour)

    def unit_price(self, seller: Seller) -> int:
        return self.commodities[seller.sector].unit_price_minor()

    def gross_margin(self, seller: Seller) -> float:
        sector = self.config.sectors[seller.sector]
        return min(
            0.7, max(0.02, sector.gross_margin + self.config.trade.margin_per_sd * seller.credit)
        )

    def demand(self, seller: Seller) -> float:
        shocks = self.config.shock
        market = sum(self.markets[i].demand(shocks) for i in seller.markets) / len(seller.markets)
        return market * (1.0 - seller.demand_cut if seller.distressed else 1.0)

    def lender(self, index: int) -> Agent:
        return self.pop.lenders[index]

    def policy(self, index: int) -> LenderPolicy:
        return self.pop.lender_policies[index]
