"""A seller's month: what it plans (orders, restocks, logins, applications), the hidden
shocks it meets, and how the month closes (arrears, owner draws, insolvency).

A firm-specific shock (a lost key buyer, a one-off cost) is the usual road to a default:
cash drains, the firm seeks credit while its ledger record still looks good, draws what it
has, and either recovers or falls behind and fails. Insolvent firms file (``insolvency.
filed``) and their lenders accelerate.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from simulations import applications, listings, stock
from simulations.agents import Seller
from simulations.world import Action, World, poisson, sigmoid


def distress(w: World, s: Seller, rng: random.Random) -> None:
    """Draw this month's hidden shock, if any; count down one in progress."""
    cfg = w.config.distress
    if s.distress_left > 0:
        s.distress_left -= 1
        s.distress_months += 1
        if s.distress_left == 0:
            s.demand_cut = 0.0
    hazard = w.config.sizes[s.size].distress_hazard * math.exp(-cfg.hazard_per_sd * s.credit)
    if not s.trading or rng.random() >= hazard:
        return
    if rng.random() < cfg.lost_buyer_share:
        s.demand_cut = rng.uniform(*cfg.demand_cut)
        s.distress_left = max(s.distress_left, rng.randint(*cfg.cut_months))
    else:
        s.cash -= round(s.fixed_cost * rng.uniform(*cfg.cost_months))
        s.distress_left = max(s.distress_left, 2)  # demand untouched unless already cut


def plan(w: World, s: Seller, rng: random.Random, month: int) -> None:
    """Put the month's own actions on the seller's calendar."""
    cfg = w.config
    size = cfg.sizes[s.size]
    w.push(s, w.at_day(1, 2), Action.FIXED)
    if month == 0:
        for day in range(rng.randint(1, 3)):
            w.push(s, w.at_day(1, 1) + timedelta(minutes=day), Action.LISTING)
        if s.warehouse is not None:
            stock.initial_stock(w, s, w.at_day(1, 0) + timedelta(minutes=30))
        if rng.random() < cfg.credit.existing_line_share * 2 * sigmoid(s.credit):
            applications.onboard(w, s, rng, w.at_day(1, 1) + timedelta(minutes=20))
    elif rng.random() < cfg.trade.listing_prob:
        w.push(s, w.random_time(rng), Action.LISTING)
    if rng.random() < listings.certification_prob(w, s):
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
    elif s.warehouse is not None:
        w.push(s, w.random_time(rng, 3, 12), Action.RESTOCK)
    for _ in range(poisson(rng, cfg.trade.seller_logins)):
        w.push(s, w.random_time(rng), Action.LOGIN)
    if s.fraud and s.fraud_from - 3 <= month < s.fraud_from + 1:
        for _ in range(poisson(rng, cfg.fraud.fictitious_invoices)):
            w.push(s, w.random_time(rng, 2), Action.FICTITIOUS)
    if applications.wants_credit(w, s, rng):
        w.push(s, w.random_time(rng, 8, 25), Action.APPLY)


def plan_credit(w: World, s: Seller) -> None:
    """The lenders' monthly calendar for this borrower: revalue, statement, due, report."""
    credit = w.config.credit
    if s.open_facilities():
        w.push(s, w.at_day(1, 3), Action.REVALUE)
        w.push(s, w.at_day(credit.statement_day, 6), Action.STATEMENT)
        w.push(s, w.at_day(credit.due_day, 10), Action.DUE)
        w.push(s, w.at_day(credit.due_day + 1, 9), Action.DPD)


def close_month(w: World, s: Seller, rng: random.Random, when: datetime) -> None:
    """Owner draws above the cash target; insolvency below the failure line."""
    trade = w.config.trade
    if not s.trading:
        return
    target = trade.cash_target_months * s.monthly_cost
    if s.cash > target:
        s.cash -= round((s.cash - target) * trade.owner_draw_share)
    if s.cash < -trade.failure_months * s.monthly_cost:
        s.status = "failed"
        s.failure_date = when.date()
        w.metrics.failures += 1
        filed = when + timedelta(days=rng.randint(1, 12), hours=rng.randint(0, 8))
        procedure = "restructuring" if rng.random() < trade.restructuring_share else "liquidation"
        creditors = tuple(sorted({w.lender(f.lender).pid for f in s.open_facilities()}))
        w.later(s, filed, s, "information", "insolvency.filed",
                {"debtor": s.pid, "procedure": procedure,
                 "filed_on": filed.date().isoformat()}, creditors)  # fmt: skip
        w.metrics.insolvencies += 1
        w.push(s, filed + timedelta(days=rng.randint(1, 10)), Action.ACCELERATE)
