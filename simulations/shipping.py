"""Shipping an accepted order: packing, carriage, customs, delivery or loss.

Logistics outcomes (holds, losses, transit slips, on-time delivery) follow the seller's
logistics quality. In the baseline that is its operational quality, correlated with
creditworthiness; a firm short of cash or in distress ships late (it waits to pay the
carrier); and late or lost goods cost money (disputes, refunds, later payment);
in the null-logistics world it is an independent draw and never moves cash (carriers
replace lost goods, terms run from the invoice), so logistics says nothing about default.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations import confirmations
from simulations.agents import Seller
from simulations.emitter import money
from simulations.world import Action, World, sigmoid

_DIRECT_PROMISE_DAYS = 25
_LOCAL_PROMISE_DAYS = 6


def customs(
    w: World, s: Seller, rng: random.Random, arrival: datetime, market: int, shipment_id: str
) -> datetime:
    """Declare at the destination; maybe hold; return when the goods are cleared."""
    carrier, customs = w.pop.carriers[s.carrier], w.pop.customs[market]
    country = w.pop.markets[market].country
    declaration = {"declaration_id": s.next_id("dec"), "shipment_id": shipment_id,
                   "country": country}  # fmt: skip
    w.later(s, arrival, customs, "logistics", "customs.declared", declaration, (s.pid, carrier.pid))
    w.metrics.customs_declarations += 1
    release = arrival + timedelta(hours=rng.randint(4, 40))
    hold = w.markets[market].hold_rate(w.config.shock) * math.exp(-0.3 * s.logistics)
    if rng.random() < hold:
        w.metrics.customs_holds += 1
        reason = rng.choice(("documents", "inspection", "valuation", "restricted_goods"))
        w.later(s, arrival + timedelta(hours=3), customs, "logistics", "customs.held",
                {**declaration, "reason": reason}, (s.pid,))  # fmt: skip
        release += timedelta(days=rng.randint(*w.config.trade.hold_days))
    w.later(s, release, customs, "logistics", "customs.cleared", declaration, (s.pid,))
    return release


def ship(w: World, s: Seller, rng: random.Random, t1: datetime, order: tuple[Any, ...]) -> None:
    bi, order_id, _, _, _, _, quantity, lot_id = order
    buyer, carrier = w.pop.buyers[bi], w.pop.carriers[s.carrier]
    trade = w.config.trade
    shipment_id = s.next_id("shp")
    unit = w.config.sectors[s.sector].unit
    dispatch = t1 + timedelta(hours=rng.randint(12, 72))
    stall = rng.uniform(2.0, 9.0)  # days a firm short of cash waits to pay for carriage
    if w.config.logistics_informative and (s.distressed or s.cash < 0):
        dispatch += timedelta(days=stall)
    packer = w.pop.warehouses[s.warehouse] if s.warehouse is not None else s
    w.later(s, dispatch - timedelta(hours=2), packer, "logistics", "goods.packed",
            {"package_id": s.next_id("pkg"), "lot_id": lot_id, "quantity": quantity,
             "order_id": order_id, "unit": unit}, (s.pid, buyer.pid))  # fmt: skip
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
        slip = max(0.0, -s.logistics) * rng.uniform(0, 4)
        arrival = dispatch + timedelta(days=rng.randint(*trade.transit_days) + slip)
        if rng.random() < trade.loss_rate * math.exp(-0.3 * s.logistics):
            w.push(s, arrival, Action.LOST, (*order, shipment_id))
            return
        release = customs(w, s, rng, arrival, buyer.market, shipment_id)
        delivered = release + timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 12))
        promised = t1 + timedelta(days=_DIRECT_PROMISE_DAYS)
    w.push(s, delivered, Action.DELIVERED, (*order, shipment_id, delivered <= promised))


def on_delivered(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id, invoice_id, total, due, terms, _, _, shipment_id, on_time = data
    buyer, carrier, trade = w.pop.buyers[bi], w.pop.carriers[s.carrier], w.config.trade
    informative = w.config.logistics_informative
    claim = w.emit(carrier, "logistics", "shipment.delivered",
                   {"shipment_id": shipment_id, "carrier": carrier.pid, "consignee": buyer.pid,
                    "on_time": on_time}, when, (s.pid, buyer.pid))  # fmt: skip
    cfg = w.config.confirm
    rates = (cfg.fraud_buyer_delivery, cfg.fraud_buyer_reject) if buyer.fraud else (
        cfg.buyer_delivery, 0.0)  # fmt: skip
    confirmations.answer(w, s, rng, (claim, "logistics", carrier.pid, when), buyer, rates[0],
                         reject=rates[1], reason="never received")  # fmt: skip
    s.delivered += 1
    s.delivered_on_time += int(on_time)
    w.metrics.deliveries += 1
    w.metrics.deliveries_on_time += int(on_time)
    late = 0.0 if on_time or not informative else 1.0
    if rng.random() < trade.review_share:
        rating = 4.3 + 0.5 * s.quality - 1.2 * late + rng.gauss(0.0, 0.7)
        w.later(s, when + timedelta(days=rng.randint(1, 10)), buyer, "information",
                "review.posted", {"order_id": order_id, "reviewer": buyer.pid,
                                  "rating": min(5, max(1, round(rating)))}, (s.pid,))  # fmt: skip
    if rng.random() < sigmoid(trade.dispute_logit - 0.8 * s.quality + late):
        dispute_id = s.next_id("dsp")
        reason = "late_delivery" if late else rng.choice(("not_as_described", "damaged"))
        opened = when + timedelta(days=rng.randint(2, 12))
        w.later(s, opened, buyer, "information", "dispute.opened",
                {"dispute_id": dispute_id, "order_id": order_id, "opened_by": buyer.pid,
                 "reason": reason}, (s.pid,))  # fmt: skip
        w.metrics.disputes += 1
        w.push(s, opened + timedelta(days=rng.randint(7, 25)), Action.DISPUTE_RESOLVE,
               (bi, dispute_id, total))  # fmt: skip
    if terms > 0 and informative:
        due_at = datetime.combine(due, when.timetz()).replace(hour=10)
        w.push(s, max(due_at, when + timedelta(days=1)), Action.PAY_DUE,
               (bi, order_id, invoice_id, total, due))  # fmt: skip


def on_lost(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id, _, total, _, terms, quantity, _, shipment_id = data
    buyer, carrier = w.pop.buyers[bi], w.pop.carriers[s.carrier]
    w.emit(carrier, "logistics", "goods.lost",
           {"quantity": quantity, "shipment_id": shipment_id, "custodian": carrier.pid}, when,
           (s.pid, buyer.pid))  # fmt: skip
    w.metrics.shipments_lost += 1
    if not w.config.logistics_informative:  # the carrier replaces the goods at its cost
        ship(w, s, rng, when, data[:8])
        return
    w.emit(s, "information", "order.cancelled",
           {"order_id": order_id, "seller": s.pid, "buyer": buyer.pid,
            "reason": "lost_in_transit"}, when + timedelta(hours=6), (buyer.pid,))  # fmt: skip
    if terms == 0:  # prepaid: the seller refunds
        paid = when + timedelta(days=2)
        claim = w.emit(s, "finance", "payment.made",
                       {"payment_id": s.next_id("pay"), "amount": money(total), "payer": s.pid,
                        "payee": buyer.pid, "purpose": "refund"}, paid, (buyer.pid,))  # fmt: skip
        confirmations.answer(w, s, rng, (claim, "finance", s.pid, paid), buyer,
                             w.config.confirm.buyer_delivery)  # fmt: skip
        s.cash -= total
