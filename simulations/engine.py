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
from simulations import credit_lines, receipts, servicing, signals, stock, trade
from simulations.agents import Buyer, Identity, Seller
from simulations.config import SimulationConfig
from simulations.emitter import Emitter, money
from simulations.errors import SimulationError
from simulations.markets import MarketRow
from simulations.metrics import MonthMetrics
from simulations.outcomes import outcome
from simulations.population import Population, build_population
from simulations.truth import TruthRecorder, monthly_rows, participant_rows
from simulations.world import Action, World, poisson

Handler = Callable[[World, Seller, random.Random, datetime, Any], None]

HANDLERS: dict[Action, Handler] = {
    Action.EMIT: trade.on_emit,
    Action.ORDER: trade.on_order,
    Action.DELIVERED: trade.on_delivered,
    Action.PAY_DUE: trade.on_pay_due,
    Action.PAYMENT: trade.on_payment,
    Action.LOST: trade.on_lost,
    Action.DISPUTE_RESOLVE: trade.on_dispute_resolve,
    Action.NONPAY_DISPUTE: trade.on_nonpay_dispute,
    Action.FIXED: credit_lines.on_fixed,
    Action.DEBT: servicing.on_debt,
    Action.DPD: servicing.on_dpd,
    Action.REVALUE: receipts.on_revalue,
    Action.CURE: receipts.on_cure,
    Action.APPLY: credit_lines.on_apply,
    Action.RESTOCK: stock.on_restock,
    Action.RECEIVED: stock.on_received,
    Action.COUNT: stock.on_count,
    Action.LOGIN: signals.on_login,
    Action.LISTING: signals.on_listing,
    Action.CERT: signals.on_certification,
}


class Simulation:
    """One run of the ecosystem for a config; iterate :meth:`events` once."""

    def __init__(
        self, config: SimulationConfig, *, sign: bool = True, truth: TruthRecorder | None = None
    ) -> None:
        self.config = config
        self.population: Population = build_population(config)
        self.emitter = Emitter(config.seed, sign=sign)
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
        for month in range(self.config.months):
            w.begin(month)
            self.months_started += 1
            self._markets(month)
            yield from self.emitter.drain()
            for seller in pop.sellers:
                self._seller_month(seller, month)
                self.steps_done += 1
                yield from self.emitter.drain()
            for buyer in pop.buyers:
                self._buyer_month(buyer, month)
                self.steps_done += 1
                if len(self.emitter.buffer) >= 256:
                    yield from self.emitter.drain()
            yield from self.emitter.drain()
            self._end_month(month)
        if self.truth is not None:
            self.truth.finish(participant_rows(self), self.market_rows, self._open_loans())

    def run(self) -> None:
        """Run to the end, discarding events (use with ``sign=False`` for fast scenarios)."""
        for _ in self.events():
            pass

    def _markets(self, month: int) -> None:
        w, shocks = self.world, self.config.shock
        label = w.month_begin.strftime("%Y-%m")
        for state in w.markets:
            if self.config.shocks:
                state.step(self._shock_rng, shocks)
            self.market_rows.append(
                MarketRow(
                    label,
                    state.market.country,
                    "market",
                    state.demand(shocks),
                    state.fx_log,
                    state.hold_rate(shocks),
                    1.0,
                    state.shock_left > 0 or state.policy_left > 0,
                )
            )
        when = w.month_begin + timedelta(minutes=10)
        for commodity in w.commodities:
            before = commodity.unit_price_minor()
            if self.config.shocks and month > 0:
                commodity.step(self._shock_rng)
            after = commodity.unit_price_minor()
            self.market_rows.append(
                MarketRow(
                    label,
                    commodity.sector.name,
                    "commodity",
                    1.0,
                    0.0,
                    0.0,
                    commodity.index,
                    commodity.crashed,
                )
            )
            w.emit(w.pop.platform, "finance", "stock.price_changed",
                   {"commodity": commodity.sector.commodity, "unit": commodity.sector.unit,
                    "price": money(after), "change_bp": (after - before) * 10_000 // before},
                   when)  # fmt: skip

    def _seller_month(self, s: Seller, month: int) -> None:
        cfg, w = self.config, self.world
        rng = random.Random(f"threeflow-sim/{cfg.seed}/s/{month}/{s.num}")
        w.current = s
        rho = cfg.trade.latent_rho
        s.credit = rho * s.credit + math.sqrt(1 - rho * rho) * rng.gauss(0.0, 1.0)
        s.quality = rho * s.quality + math.sqrt(1 - rho * rho) * rng.gauss(0.0, 1.0)
        s.payouts.append(0)
        if s.trading:
            self._schedule_trading(s, rng, month)
        if bool(s.open_facilities()):
            w.push(s, w.at_day(1, 3), Action.REVALUE)
            w.push(s, w.at_day(cfg.credit.due_day, 9), Action.DEBT)
            w.push(s, w.at_day(cfg.credit.due_day + 1, 9), Action.DPD)
        last_day = (w.month_end - timedelta(days=1)).day
        if s.warehouse is not None:
            w.push(s, w.at_day(last_day, 20), Action.COUNT)
        month_end = w.at_day(last_day, 22)
        agenda, end = s.agenda, w.month_end
        while agenda and agenda[0][0] < month_end:
            when, _, action, data = heapq.heappop(agenda)
            HANDLERS[action](w, s, rng, when, data)
        self._close_month(s, month_end)
        while agenda and agenda[0][0] < end:
            when, _, action, data = heapq.heappop(agenda)
            HANDLERS[action](w, s, rng, when, data)
        w.current = None

    def _buyer_month(self, buyer: Buyer, month: int) -> None:
        """A buyer's payment discipline drifts; the platform sees its logins."""
        cfg = self.config
        rng = random.Random(f"threeflow-sim/{cfg.seed}/b/{month}/{buyer.pid}")
        rho = cfg.trade.latent_rho
        buyer.discipline = rho * buyer.discipline + math.sqrt(1 - rho * rho) * rng.gauss(0, 1)
        signals.buyer_logins(self.world, buyer, rng, poisson(rng, cfg.trade.buyer_logins))

    def _schedule_trading(self, s: Seller, rng: random.Random, month: int) -> None:
        cfg, w = self.config, self.world
        size = cfg.sizes[s.size]
        w.push(s, w.at_day(1, 2), Action.FIXED)
        if month == 0:
            for day in range(rng.randint(1, 3)):
                w.push(s, w.at_day(1, 1) + timedelta(minutes=day), Action.LISTING)
            if s.warehouse is not None:
                stock.initial_stock(w, s, w.at_day(1, 0) + timedelta(minutes=30))
        elif rng.random() < cfg.trade.listing_prob:
            w.push(s, w.random_time(rng), Action.LISTING)
        if rng.random() < signals.certification_prob(w, s):
            w.push(s, w.random_time(rng), Action.CERT)
        lam = size.orders_per_month * w.demand(s) * math.exp(0.1 * s.quality)
        orders = poisson(rng, lam)
        times = [w.random_time(rng, 2) for _ in range(orders)]
        for when in times:
            w.push(s, when, Action.ORDER)
        if s.warehouse is None and times:
            sector = cfg.sectors[s.sector]
            quantity = max(1, round(orders * size.order_value_usd / sector.unit_price_usd))
            w.later(s, w.at_day(1, 4), s, "logistics", "goods.commissioned",
                    {"lot_id": f"lot-{s.num:06d}-m{month:03d}", "sku": s.skus[0] if s.skus
                     else f"sku-{s.num:06d}-01", "quantity": quantity, "unit": sector.unit,
                     "owner": s.pid, "site_country": s.identity.country})  # fmt: skip
        else:
            w.push(s, w.random_time(rng, 3, 12), Action.RESTOCK)
        logins = poisson(rng, cfg.trade.seller_logins + (2.0 if s.fraud else 0.0))
        for _ in range(logins):
            w.push(s, w.random_time(rng), Action.LOGIN)
        if self._wants_credit(s, rng, month):
            w.push(s, w.random_time(rng, 8, 25), Action.APPLY)

    def _wants_credit(self, s: Seller, rng: random.Random, month: int) -> bool:
        credit = self.config.credit
        if month < credit.history_months or month - s.applied_month < 3:
            return False
        if any(not line.closed for line in s.lines):
            return False
        if s.fraud:
            return month >= s.fraud_from
        short = s.cash < self.config.trade.cash_target_months * s.monthly_cost / 2
        return rng.random() < (credit.apply_need_prob if short else credit.apply_prob)

    def _close_month(self, s: Seller, when: datetime) -> None:
        """Fixed costs were paid at the start; now arrears, owner draws and insolvency."""
        cfg, w = self.config, self.world
        servicing.cure_arrears(w, s, when)
        if not s.trading:
            return
        target = cfg.trade.cash_target_months * s.monthly_cost
        if s.cash > target:
            s.cash -= round((s.cash - target) * cfg.trade.owner_draw_share)
        if s.cash < -cfg.trade.failure_months * s.monthly_cost:
            s.status = "failed"
            s.failure_date = when.date()
            w.metrics.failures += 1

    def _end_month(self, month: int) -> None:
        w = self.world
        sellers = self.population.sellers
        today = (w.month_end - timedelta(days=1)).date()
        w.metrics.active_sellers = sum(1 for s in sellers if s.trading)
        w.metrics.borrowers = sum(1 for s in sellers if bool(s.open_facilities()))
        w.metrics.exposure_minor = sum(s.debt() for s in sellers)
        w.metrics.events = self.emitter.total - sum(m.events for m in self.metrics)
        self.metrics.append(w.metrics)
        if self.truth is not None:
            self.truth.month(monthly_rows(self, today))
            self.truth.loans(w.closed_loans)
        w.closed_loans = []

    def _open_loans(self) -> list[Any]:
        out = []
        for s in self.population.sellers:
            for f in s.facilities():
                if not f.closed:
                    out.append(outcome(self.world, s, f, "open", None))
        return out
