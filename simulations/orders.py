"""Orders: placed by buyers, accepted or cancelled by sellers, invoiced.

Cancellation reasons are evidence, not a readout. Every seller cancels some orders (buyers
change their minds, prices move, lead times slip, terms fail, stock runs out with demand),
and a seller that cannot pay for the goods gives the same reasons in nearly the same mix;
half the time it takes the order anyway and stretches its suppliers instead. So a reason
says little about hidden cash, and how often a seller cancels says something, as in life.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations import confirmations, credit_lines, shipping
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import Lot
from simulations.world import Action, World, sigmoid

BUYER_REASONS = ("buyer_request", "found_alternative", "budget_cut")
SELLER_REASONS = ("stock_unavailable", "lead_time", "price_change", "terms_not_agreed", "other")
_ORDINARY = (0.30, 0.25, 0.20, 0.15, 0.10)  # any seller-side cancellation
_SHORT = (0.34, 0.29, 0.16, 0.13, 0.08)  # a seller short of cash: nearly the same mix
_STOCKOUT = (0.70, 0.20, 0.0, 0.0, 0.10)  # the shelf is empty (healthy sellers too)


def free_stock(seller: Seller) -> int:
    return sum(lot.free for lot in seller.lots)


def take_stock(w: World, seller: Seller, quantity: int, when: datetime) -> str:
    """Take goods first-in first-out from unpledged lots; return the first lot touched.

    The warehouse records each lot's goods leaving its custody (``goods.released``): only
    goods no live receipt covers, which the ledger's stock projection checks.
    """
    first = ""
    assert seller.warehouse is not None
    warehouse = w.pop.warehouses[seller.warehouse]
    for lot in seller.lots:
        if quantity <= 0:
            break
        if lot.free <= 0:
            continue
        first = first or lot.lot_id
        taken = min(lot.free, quantity)
        lot.quantity -= taken
        quantity -= taken
        w.emit(warehouse, "logistics", "goods.released",
               {"warehouse_id": warehouse.pid, "lot_id": lot.lot_id, "quantity": taken,
                "owner": seller.pid}, when, (seller.pid,))  # fmt: skip
    seller.lots = [lot for lot in seller.lots if lot.quantity > 0]
    return first


def supplier_credit(w: World, s: Seller) -> int:
    """How far suppliers let a seller's cash go below zero for goods (trade payables)."""
    return round(w.config.trade.supplier_credit_months * (s.monthly_cost - s.fixed_cost))


def new_lot(s: Seller, w: World, quantity: int) -> Lot:
    sku = s.skus[0] if s.skus else f"sku-{s.num:06d}-01"
    unit_cost = round(w.unit_price(s) * (1 - w.gross_margin(s)))
    return Lot(s.next_id("lot"), sku, quantity, unit_cost)


def _choose_buyer(w: World, s: Seller, rng: random.Random) -> int:
    pop = w.pop
    if not s.buyers or rng.random() < w.config.population.new_buyer_prob:
        market = rng.choice(s.markets)
        pool = pop.buyers_by_market[market]
        index = rng.choice(pool) if pool else rng.randrange(len(pop.buyers))
        if index not in s.buyers:
            if len(s.buyers) >= w.config.population.buyers_per_seller_pool:
                s.buyers.pop(0)
            s.buyers.append(index)
        return index
    return rng.choice(s.buyers)


def _reason(w: World, s: Seller, rng: random.Random, cogs: int, t1: datetime) -> str:
    """Why the order is cancelled, or "" if the seller accepts it."""
    trade = w.config.trade
    if rng.random() < sigmoid(trade.cancel_logit - 0.7 * s.quality):
        if rng.random() < 0.45:
            return rng.choice(BUYER_REASONS)
        return rng.choices(SELLER_REASONS, _ORDINARY)[0]
    if s.warehouse is not None:
        if free_stock(s) == 0:
            return rng.choices(SELLER_REASONS, _STOCKOUT)[0]
        return ""
    if credit_lines.ensure_cash(w, s, cogs, t1, supplier_credit(w, s)):
        return ""
    if rng.random() < trade.short_cancel_prob:
        return rng.choices(SELLER_REASONS, _SHORT)[0]
    return ""  # takes the order anyway, on stretched supplier credit


def on_order(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading or not w.pop.buyers:
        return
    cfg = w.config
    sector, size = cfg.sectors[s.sector], cfg.sizes[s.size]
    bi = _choose_buyer(w, s, rng)
    buyer = w.pop.buyers[bi]
    base_value = size.order_value_usd * math.exp(rng.gauss(0.0, cfg.trade.order_value_sigma))
    quantity = max(1, round(base_value / sector.unit_price_usd * (2 if buyer.fraud else 1)))
    unit = w.unit_price(s)
    total = quantity * unit
    order_id = s.next_id("ord")
    sku = s.skus[0] if s.skus else f"sku-{s.num:06d}-01"  # the product its lots hold
    terms = buyer.terms_days
    w.metrics.orders += 1
    parties = {"seller": s.pid, "buyer": buyer.pid}
    line = {"sku": sku, "quantity": quantity, "unit_price": money(unit)}
    w.emit(buyer, "information", "order.placed",
           {"order_id": order_id, **parties, "total": money(total), "terms_days": terms,
            "channel": buyer.channel, "lines": [line]}, when, (s.pid,))  # fmt: skip
    t1 = when + timedelta(minutes=rng.randint(20, 1200))
    cogs = round(total * (1 - w.gross_margin(s)))
    reason = _reason(w, s, rng, cogs, t1)
    if reason:
        actor = buyer if reason in BUYER_REASONS else s
        w.emit(actor, "information", "order.cancelled",
               {"order_id": order_id, **parties, "reason": reason}, t1,
               (buyer.pid if actor is s else s.pid,))  # fmt: skip
        w.metrics.orders_cancelled += 1
        return
    if s.warehouse is not None and free_stock(s) < quantity:  # ship what is in stock
        quantity = free_stock(s)
        total = quantity * unit
    w.emit(s, "information", "order.accepted", {"order_id": order_id, **parties}, t1,
           (buyer.pid,))  # fmt: skip
    if s.warehouse is not None:
        lot_id = take_stock(w, s, quantity, t1 + timedelta(minutes=10))
    else:
        s.cash -= cogs
        lot_id = f"lot-{s.num:06d}-m{w.month:03d}"
    w.metrics.gmv_minor += total
    invoice_id = s.next_id("inv")
    due = (t1 + timedelta(days=terms)).date()
    issued = t1 + timedelta(minutes=5)
    claim = w.emit(s, "information", "invoice.issued",
                   {"invoice_id": invoice_id, "order_id": order_id, **parties,
                    "amount": money(total), "due_date": due.isoformat()}, issued,
                   (buyer.pid,))  # fmt: skip
    rate = 0.95 if buyer.fraud else cfg.confirm.buyer_invoice
    confirmations.answer(w, s, rng, (claim, "information", s.pid, issued), buyer, rate)
    order = (bi, order_id, invoice_id, total, due, terms, quantity, lot_id)
    if terms == 0:
        w.push(s, t1 + timedelta(hours=2), Action.PAYMENT, (bi, invoice_id, total, 0))
    elif not cfg.logistics_informative:  # the null world: terms run from the invoice
        due_at = datetime.combine(due, t1.timetz()).replace(hour=10)
        w.push(s, due_at, Action.PAY_DUE, (bi, order_id, invoice_id, total, due))
    shipping.ship(w, s, rng, t1, order)


def on_fictitious(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """A fraudster invoices a buyer for an order that never existed, to look busy."""
    if not s.trading or not w.pop.buyers:
        return
    buyer = w.pop.buyers[rng.choice(s.buyers) if s.buyers else 0]
    amount = round(w.config.sizes[s.size].order_value_usd * 100 * rng.uniform(1.0, 3.0))
    due = (when + timedelta(days=30)).date()
    claim = w.emit(s, "information", "invoice.issued",
                   {"invoice_id": s.next_id("inv"), "order_id": s.next_id("ord"),
                    "seller": s.pid, "buyer": buyer.pid, "amount": money(amount),
                    "due_date": due.isoformat()}, when, (buyer.pid,))  # fmt: skip
    reject = w.config.confirm.fictitious_reject
    confirmations.answer(w, s, rng, (claim, "information", s.pid, when), buyer, 0.0,
                         reject=reject, reason="no such order")  # fmt: skip
