"""The simulation engine: a month at a time, a participant at a time, as a stream.

``Simulation.events()`` is a generator. It holds the state of every participant (bounded
by the population, not by time) and never more than one participant's month of events:
it yields them before moving to the next participant, so memory stays flat however many
months run. Each seller-month and buyer-month draws from its own generator seeded by
(seed, month, participant), so the path of one firm does not depend on the others'.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from ledger.core.events import Event
from simulations import (
    applications,
    credit_lines,
    defaults,
    listings,
    logins,
    month,
    orders,
    payments,
    receipts,
    servicing,
    shipping,
    stock,
)  # fmt: skip
from simulations.agents import Buyer, Identity, Seller
from simulations.config import SimulationConfig
from simulations.emitter import Emitter, Observer, money
from simulations.errors import SimulationError
from simulations.markets import MarketRow
from simulations.metrics import MonthMetrics
from simulations.outcomes import LoanOutcome, outcome
from simulations.population import Population, build_population
from simulations.truth import TruthRecorder, monthly_rows, participant_rows
from simulations.world import Action, World, poisson

Handler = Callable[[World, Seller, random.Random, datetime, Any], None]


def _emit(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    agent, flow, etype, payload, subjects, event_id = data
    w.emitter.emit(agent, flow, etype, payload, when, subjects, event_id)


HANDLERS: dict[Action, Handler] = {
    Action.EMIT: _emit,
    Action.ORDER: orders.on_order,
    Action.FICTITIOUS: orders.on_fictitious,
    Action.DELIVERED: shipping.on_delivered,
    Action.LOST: shipping.on_lost,
    Action.PAY_DUE: payments.on_pay_due,
    Action.PAYMENT: payments.on_payment,
    Action.DISPUTE_RESOLVE: payments.on_dispute_resolve,
    Action.NONPAY_DISPUTE: payments.on_nonpay_dispute,
    Action.FIXED: credit_lines.on_fixed,
    Action.STATEMENT: servicing.on_statement,
    Action.DUE: servicing.on_due,
    Action.DPD: servicing.on_dpd,
    Action.REVALUE: receipts.on_revalue,
    Action.CURE: receipts.on_cure,
    Action.APPLY: applications.on_apply,
    Action.ACCELERATE: defaults.on_accelerate,
    Action.RECOVER: defaults.on_recover,
    Action.WRITE_OFF: defaults.on_write_off,
    Action.RESTOCK: stock.on_restock,
    Action.RECEIVED: stock.on_received,
    Action.COUNT: stock.on_count,
    Action.LOGIN: logins.on_login,
    Action.LISTING: listings.on_listing,
    Action.CERT: listings.on_certification,
}


class Simulation:
    """One run of the ecosystem for a config; iterate :meth:`events` once."""

    def __init__(
        self,
        config: SimulationConfig,
        *,
        sign: bool = True,
        truth: TruthRecorder | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.config = config
        self.population: Population = build_population(config)
        self.emitter = Emitter(config.seed, sign=sign, observer=observer)
        self.world = World(config, self.population, self.emitter)
        self.truth = truth
        self.metrics: list[MonthMetrics] = []
        self.market_rows: list[MarketRow] = []
        self.months_started = 0
        self.steps_done = 0
        self._shock_rng = random.Random(f"threeflow-sim/{config.seed}/shocks")
        self._started = False

    @property
    def total_steps(self) -> int:
        return self.config.months * (len(self.population.sellers) + len(self.population.buyers))

    def identities(self) -> list[tuple[Identity, bytes]]:
        """Every participant with its public key, in registration order."""
        return [(agent.identity, agent.signer.public_key) for agent in self.population.everyone()]

    def state_size(self) -> int:
        """How many scheduled actions, lots and facilities the sellers hold now."""
        return sum(
            len(s.agenda) + len(s.lots) + len(s.lines) + len(s.loans)
            for s in self.population.sellers
        )

    def events(self) -> Iterator[Event]:
        if self._started:
            raise SimulationError("a Simulation runs once; build another for a second run")
        self._started = True
        pop, w = self.population, self.world
        for index in range(self.config.months):
            w.begin(index)
            self.months_started += 1
            self._markets(index)
            yield from self.emitter.drain()
            for seller in pop.sellers:
                self._seller_month(seller, index)
                self.steps_done += 1
                yield from self.emitter.drain()
            for buyer in pop.buyers:
                self._buyer_month(buyer, index)
                self.steps_done += 1
                if len(self.emitter.buffer) >= 256:
                    yield from self.emitter.drain()
            yield from self.emitter.drain()
            self._end_month()
        if self.truth is not None:
            self.truth.finish(
                participant_rows(pop, self.config), self.market_rows, self._open_facilities()
            )

    def run(self) -> None:
        """Run to the end, discarding events (use with ``sign=False`` for fast scenarios)."""
        for _ in self.events():
            pass

    def _markets(self, index: int) -> None:
        w, shocks = self.world, self.config.shock
        label = w.month_begin.strftime("%Y-%m")
        for state in w.markets:
            if self.config.shocks:
                state.step(self._shock_rng, shocks)
            self.market_rows.append(MarketRow(
                label, state.market.country, "market", state.demand(shocks), state.fx_log,
                state.hold_rate(shocks), 1.0, state.shock_left > 0 or state.policy_left > 0,
            ))  # fmt: skip
        when = w.month_begin + timedelta(minutes=10)
        for commodity in w.commodities:
            before = commodity.unit_price_minor()
            if self.config.shocks and index > 0:
                commodity.step(self._shock_rng)
            after = commodity.unit_price_minor()
            self.market_rows.append(MarketRow(
                label, commodity.sector.name, "commodity", 1.0, 0.0, 0.0, commodity.index,
                commodity.crashed,
            ))  # fmt: skip
            w.emit(w.pop.price_publisher, "finance", "stock.price_changed",
                   {"commodity": commodity.sector.commodity, "unit": commodity.sector.unit,
                    "price": money(after), "change_bp": (after - before) * 10_000 // before},
                   when)  # fmt: skip

    def _seller_month(self, s: Seller, index: int) -> None:
        cfg, w = self.config, self.world
        rng = random.Random(f"threeflow-sim/{cfg.seed}/s/{index}/{s.num}")
        w.current = s
        rho = cfg.trade.latent_rho
        s.credit = rho * s.credit + math.sqrt(1 - rho * rho) * rng.gauss(0.0, 1.0)
        s.quality = rho * s.quality + math.sqrt(1 - rho * rho) * rng.gauss(0.0, 1.0)
        own = rho * s.logistics + math.sqrt(1 - rho * rho) * rng.gauss(0.0, 1.0)
        s.logistics = s.quality if cfg.logistics_informative else own
        s.payouts.append(0)
        month.distress(w, s, rng)
        if s.distressed and s.trading:
            w.metrics.distressed += 1
        if s.trading:
            month.plan(w, s, rng, index)
        month.plan_credit(w, s)
        last_day = (w.month_end - timedelta(days=1)).day
        if s.warehouse is not None:
            w.push(s, w.at_day(last_day, 20), Action.COUNT)
        month_end = w.at_day(last_day, 22)
        agenda, end = s.agenda, w.month_end
        while agenda and agenda[0][0] < month_end:
            when, _, action, data = heapq.heappop(agenda)
            HANDLERS[action](w, s, rng, when, data)
        servicing.cure_arrears(w, s, rng, month_end)
        month.close_month(w, s, rng, month_end)
        while agenda and agenda[0][0] < end:
            when, _, action, data = heapq.heappop(agenda)
            HANDLERS[action](w, s, rng, when, data)
        w.current = None

    def _buyer_month(self, buyer: Buyer, index: int) -> None:
        """A buyer's payment discipline drifts; the platform sees its logins."""
        cfg = self.config
        rng = random.Random(f"threeflow-sim/{cfg.seed}/b/{index}/{buyer.pid}")
        rho = cfg.trade.latent_rho
        buyer.discipline = rho * buyer.discipline + math.sqrt(1 - rho * rho) * rng.gauss(0, 1)
        logins.buyer_logins(self.world, buyer, rng, poisson(rng, cfg.trade.buyer_logins))

    def _end_month(self) -> None:
        w = self.world
        sellers = self.population.sellers
        today = (w.month_end - timedelta(days=1)).date()
        w.metrics.active_sellers = sum(1 for s in sellers if s.trading)
        w.metrics.borrowers = sum(1 for s in sellers if s.live_facilities())
        w.metrics.exposure_minor = sum(s.debt() for s in sellers)
        w.metrics.events = self.emitter.total - sum(m.events for m in self.metrics)
        self.metrics.append(w.metrics)
        if self.truth is not None:
            self.truth.month(monthly_rows(self.population, today))
            self.truth.loans(w.closed_facilities)
        w.closed_facilities = []

    def _open_facilities(self) -> list[LoanOutcome]:
        return [
            outcome(self.world, s, f, "open", None)
            for s in self.population.sellers
            for f in s.facilities()
            if not f.closed
        ]
