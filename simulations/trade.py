"""Trade: orders, invoices, shipping, customs, deliveries, payments, reviews and disputes.

What happens to an order depends on hidden state: the seller's operational quality sets
cancellations, losses, delays, ratings and disputes; the buyer's payment discipline and its
market's stress set late payment and non-payment; the seller's cash sets whether it can
buy the goods at all.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations import credit_lines
from simulations.agents import Lot, Seller
from simulations.emitter import money
from simulations.world import Action, World, sigmoid

_DIRECT_PROMISE_DAYS = 25
_LOCAL_PROMISE_DAYS = 6


def free_stock(seller: Seller) -> int:
    return sum(lot.free for lot in seller.lots)


def take_stock(seller: Seller, quantity: int) -> str:
    """Take goods first-in first-out from unpledged lots; return the first lot touched."""
    first = ""
    for lot in seller.lots:
        if quantity <= 0:
            break
        if lot.free <= 0:
            continue
        first = first or lot.lot_id
        taken = min(lot.free, quantity)
        lot.quantity -= taken
        quantity -= taken
    seller.lots = [lot for lot in seller.lots if lot.quantity > 0]
    return first


def supplier_credit(w: World, s: Seller) -> int:
    """How far suppliers let a seller's cash go below zero for goods (trade payables)."""
    return round(w.config.trade.supplier_credit_months * (s.monthly_cost - s.fixed_cost))


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


def on_order(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading or not w.pop.buyers:
        return
    cfg, trade = w.config, w.config.trade
    sector, size = cfg.sectors[s.sector], cfg.sizes[s.size]
    bi = _choose_buyer(w, s, rng)
    buyer = w.pop.buyers[bi]
    base_value = size.order_value_usd * math.exp(rng.gauss(0.0, trade.order_value_sigma))
    quantity = max(1, round(base_value / sector.unit_price_usd * (2 if buyer.fraud else 1)))
    unit = w.unit_price(s)
    total = quantity * unit
    order_id = s.next_id("ord")
    sku = s.skus[0] if s.skus else f"sku-{s.num:06d}-01"  # the product its lots hold
    terms = buyer.terms_days
    w.metrics.orders += 1
    line = {"sku": sku, "quantity": quantity, "unit_price": money(unit)}
    w.emit(buyer, "information", "order.placed",
           {"order_id": order_id, "seller": s.pid, "buyer": buyer.pid, "total": money(total),
            "terms_days": terms, "channel": buyer.channel, "lines": [line]},
           when, (s.pid,))  # fmt: skip
    t1 = when + timedelta(minutes=rng.randint(20, 1200))
    reason = ""
    cogs = round(total * (1 - w.gross_margin(s)))
    if rng.random() < sigmoid(trade.cancel_logit - 0.7 * s.quality):
        reason = "buyer_request" if rng.random() < 0.5 else "seller_declined"
    elif s.warehouse is not None and free_stock(s) == 0:
        reason = "out_of_stock"
    elif s.warehouse is None and not credit_lines.ensure_cash(
        w, s, cogs, t1, supplier_credit(w, s)
    ):
        reason = "no_capacity"
    if reason:
        actor = buyer if reason == "buyer_request" else s
        w.emit(actor, "information", "order.cancelled", {"order_id": order_id, "reason": reason},
               t1, (buyer.pid if actor is s else s.pid,))  # fmt: skip
        w.metrics.orders_cancelled += 1
        return
    if s.warehouse is not None and free_stock(s) < quantity:  # ship what is in stock
        quantity = free_stock(s)
        total = quantity * unit
    w.emit(s, "information", "order.accepted", {"order_id": order_id}, t1, (buyer.pid,))
    if s.warehouse is not None:
        lot_id = take_stock(s, quantity)
    else:
        s.cash -= cogs
        lot_id = f"lot-{s.num:06d}-m{w.month:03d}"
    w.metrics.gmv_minor += total
    invoice_id = s.next_id("inv")
    due = (t1 + timedelta(days=terms)).date()
    w.emit(s, "information", "invoice.issued",
           {"invoice_id": invoice_id, "order_id": order_id, "amount": money(total),
            "due_date": due.isoformat()}, t1 + timedelta(minutes=5), (buyer.pid,))  # fmt: skip
    if terms == 0:
        w.push(s, t1 + timedelta(hours=2), Action.PAYMENT, (bi, invoice_id, total, 0))
    _ship(w, s, rng, t1, (bi, order_id, invoice_id, total, due, terms, quantity, lot_id))


def customs(
    w: World, s: Seller, rng: random.Random, arrival: datetime, market: int, shipment_id: str
) -> datetime:
    """Declare at the destination; maybe hold; return when the goods are cleared."""
    carrier, customs = w.pop.carriers[s.carrier], w.pop.customs[market]
    country = w.pop.markets[market].country
    declaration = {"declaration_id": s.next_id("dec"), "shipment_id": shipment_id,
                   "country": country}  # fmt: skip
    w.later(s, arrival, carrier, "logistics", "customs.declared", declaration, (s.pid,))
    w.metrics.customs_declarations += 1
    release = arrival + timedelta(hours=rng.randint(4, 40))
    hold = w.markets[market].hold_rate(w.config.shock) * math.exp(-0.3 * s.quality)
    if rng.random() < hold:
        w.metrics.customs_holds += 1
        reason = rng.choice(("documents", "inspection", "valuation", "restricted_goods"))
        w.later(s, arrival + timedelta(hours=3), customs, "logistics", "customs.held",
                {**declaration, "reason": reason}, (s.pid,))  # fmt: skip
        release += timedelta(days=rng.randint(*w.config.trade.hold_days))
    w.later(s, release, customs, "logistics", "customs.cleared", declaration, (s.pid,))
    return release


def _ship(w: World, s: Seller, rng: random.Random, t1: datetime, order: tuple[Any, ...]) -> None:
    bi, order_id, _, _, _, _, quantity, lot_id = order
    buyer, carrier = w.pop.buyers[bi], w.pop.carriers[s.carrier]
    trade = w.config.trade
    shipment_id = s.next_id("shp")
    unit = w.config.sectors[s.sector].unit
    dispatch = t1 + timedelta(hours=rng.randint(12, 72))
    w.later(s, dispatch - timedelta(hours=2), s, "logistics", "goods.packed",
            {"package_id": s.next_id("pkg"), "lot_id": lot_id, "quantity": quantity,
             "order_id": order_id, "unit": unit}, (buyer.pid,))  # fmt: skip
    wm = w.pop.warehouse_market[s.warehouse] if s.warehouse is not None else None
    destination = w.pop.markets[buyer.market].country
    origin = destination if wm is not None else s.identity.country
    w.later(s, dispatch, carrier, "logistics", "shipment.dispatched",
            {"shipment_id": shipment_id, "origin": origin, "destination": destination,
             "order_id": order_id, "carrier": carrier.pid}, (s.pid, buyer.pid))  # fmt: skip
    if wm is not None:
        delivered = dispatch + timedelta(days=rng.randint(2, 5), hours=rng.randint(0, 12))
        promised = t1 + timedelta(days=_LOCAL_PROMISE_DAYS)
    else:
        arrival = dispatch + timedelta(days=rng.randint(*trade.transit_days))
        if rng.random() < trade.loss_rate * math.exp(-0.3 * s.quality):
            w.push(s, arrival, Action.LOST, (*order, shipment_id))
            return
        release = customs(w, s, rng, arrival, buyer.market, shipment_id)
        delivered = release + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 12))
        promised = t1 + timedelta(days=_DIRECT_PROMISE_DAYS)
    w.push(s, delivered, Action.DELIVERED, (*order, shipment_id, delivered <= promised))


def on_delivered(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id, invoice_id, total, due, terms, _, _, shipment_id, on_time = data
    buyer, carrier, trade = w.pop.buyers[bi], w.pop.carriers[s.carrier], w.config.trade
    w.emit(carrier, "logistics", "shipment.delivered",
           {"shipment_id": shipment_id, "on_time": on_time}, when, (s.pid, buyer.pid))  # fmt: skip
    s.delivered += 1
    s.delivered_on_time += int(on_time)
    w.metrics.deliveries += 1
    w.metrics.deliveries_on_time += int(on_time)
    if rng.random() < trade.review_share:
        rating = 4.3 + 0.5 * s.quality - (0.0 if on_time else 1.2) + rng.gauss(0.0, 0.7)
        w.later(s, when + timedelta(days=rng.randint(1, 10)), buyer, "information",
                "review.posted", {"order_id": order_id, "rating": min(5, max(1, round(rating)))},
                (s.pid,))  # fmt: skip
    if rng.random() < sigmoid(trade.dispute_logit - 0.8 * s.quality + (0.0 if on_time else 1.0)):
        dispute_id = s.next_id("dsp")
        reason = "late_delivery" if not on_time else rng.choice(("not_as_described", "damaged"))
        opened = when + timedelta(days=rng.randint(2, 12))
        w.later(s, opened, buyer, "information", "dispute.opened",
                {"dispute_id": dispute_id, "order_id": order_id, "reason": reason},
                (s.pid,))  # fmt: skip
        w.metrics.disputes += 1
        w.push(s, opened + timedelta(days=rng.randint(7, 25)), Action.DISPUTE_RESOLVE,
               (bi, dispute_id, total))  # fmt: skip
    if terms > 0:
        due_at = datetime.combine(due, when.timetz()).replace(hour=10)
        w.push(s, max(due_at, when + timedelta(days=1)), Action.PAY_DUE,
               (bi, order_id, invoice_id, total, due))  # fmt: skip


def on_pay_due(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id, invoice_id, total, due = data
    buyer, trade, shocks = w.pop.buyers[bi], w.config.trade, w.config.shock
    market = w.markets[buyer.market]
    stress = market.stress(shocks)
    nonpay = (
        trade.fraud_buyer_nonpay
        if buyer.fraud
        else sigmoid(trade.nonpay_logit - buyer.discipline + stress)
    )
    if rng.random() < nonpay:
        w.metrics.nonpayments += 1
        w.push(s, when + timedelta(days=45), Action.NONPAY_DISPUTE, (bi, order_id))
        return
    late = 0
    if rng.random() < sigmoid(
        trade.late_logit + market.market.late_bias - buyer.discipline + stress
    ):
        mean = trade.late_days_mean * math.exp(-0.3 * buyer.discipline)
        late = 1 + int(rng.expovariate(1.0 / mean))
    paid = when + timedelta(days=late, minutes=rng.randint(0, 480))
    w.push(s, paid, Action.PAYMENT, (bi, invoice_id, total, max(0, (paid.date() - due).days)))


def on_payment(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, invoice_id, total, days_late = data
    buyer = w.pop.buyers[bi]
    w.emit(buyer, "finance", "payment.made",
           {"payment_id": s.next_id("pay"), "amount": money(total), "payer": buyer.pid,
            "payee": s.pid, "invoice_id": invoice_id, "days_late": days_late},
           when, (s.pid,))  # fmt: skip
    s.cash += total
    s.payouts[-1] += total
    w.metrics.payments += 1
    if days_late > 0:
        w.metrics.payments_late += 1
        w.metrics.days_late_total += days_late


def on_lost(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id, _, total, _, terms, quantity, _, shipment_id = data
    buyer, carrier = w.pop.buyers[bi], w.pop.carriers[s.carrier]
    w.emit(carrier, "logistics", "goods.lost", {"quantity": quantity, "shipment_id": shipment_id},
           when, (s.pid, buyer.pid))  # fmt: skip
    w.emit(s, "information", "order.cancelled",
           {"order_id": order_id, "reason": "lost_in_transit"}, when + timedelta(hours=6),
           (buyer.pid,))  # fmt: skip
    w.metrics.shipments_lost += 1
    if terms == 0:  # prepaid: the seller refunds
        w.emit(s, "finance", "payment.made",
               {"payment_id": s.next_id("pay"), "amount": money(total), "payer": s.pid,
                "payee": buyer.pid}, when + timedelta(days=2), (buyer.pid,))  # fmt: skip
        s.cash -= total


def on_dispute_resolve(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, dispute_id, total = data
    buyer = w.pop.buyers[bi]
    payload: dict[str, Any] = {"dispute_id": dispute_id}
    if rng.random() < sigmoid(-0.3 - 0.8 * s.quality):
        refund = round(total * rng.uniform(0.3, 1.0))
        payload.update(outcome="buyer_favoured", refund=money(refund))
        s.cash -= refund
    elif rng.random() < 0.5:
        refund = round(total * rng.uniform(0.05, 0.3))
        payload.update(outcome="settled", refund=money(refund))
        s.cash -= refund
    else:
        payload["outcome"] = "seller_favoured"
    w.emit(w.pop.platform, "information", "dispute.resolved", payload, when, (s.pid, buyer.pid))


def on_nonpay_dispute(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id = data
    buyer = w.pop.buyers[bi]
    w.emit(s, "information", "dispute.opened",
           {"dispute_id": s.next_id("dsp"), "order_id": order_id, "reason": "non_payment"},
           when, (buyer.pid,))  # fmt: skip
    w.metrics.disputes += 1


def on_emit(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    agent, flow, etype, payload, subjects = data
    w.emit(agent, flow, etype, payload, when, subjects)


def new_lot(s: Seller, w: World, quantity: int) -> Lot:
    sku = s.skus[0] if s.skus else f"sku-{s.num:06d}-01"
    unit_cost = round(w.unit_price(s) * (1 - w.gross_margin(s)))
    return Lot(s.next_id("lot"), sku, quantity, unit_cost)
