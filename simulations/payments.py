"""Buyers paying sellers, late or never; refunds; disputes and their resolution.

Late payment and non-payment follow the buyer's hidden discipline and its market's stress
(weak currency, weak demand). Every movement of money is a ``payment.made`` by the payer,
which the payee confirms (or, now and then, never gets round to).
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from simulations import confirmations
from simulations.agents import Agent, Seller
from simulations.emitter import money
from simulations.world import Action, World, sigmoid


def pay(
    w: World,
    s: Seller,
    rng: random.Random,
    payer: Agent,
    payee: Agent,
    amount: int,
    when: datetime,
    confirm: float,
    extra: dict[str, Any],
) -> tuple[str, str]:
    """``payer`` pays ``payee``; the payee may confirm. Return (payment id, event id)."""
    payment_id = s.next_id("pay")
    claim = w.emit(payer, "finance", "payment.made",
                   {"payment_id": payment_id, "amount": money(amount), "payer": payer.pid,
                    "payee": payee.pid, **extra}, when, (payee.pid,))  # fmt: skip
    institution = payee.identity.role in ("lender", "warehouse")
    confirmations.answer(w, s, rng, (claim, "finance", payer.pid, when), payee, confirm,
                         institution=institution)  # fmt: skip
    return payment_id, claim


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
    confirm = sigmoid(math.log(w.config.confirm.seller_payment / 0.07) + 0.4 * s.quality)
    pay(w, s, rng, buyer, s, total, when, confirm,
        {"invoice_id": invoice_id, "days_late": days_late, "purpose": "invoice"})  # fmt: skip
    s.cash += total
    s.payouts[-1] += total
    w.metrics.payments += 1
    if days_late > 0:
        w.metrics.payments_late += 1
        w.metrics.days_late_total += days_late


def on_dispute_resolve(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, dispute_id, total = data
    buyer = w.pop.buyers[bi]
    payload: dict[str, Any] = {"dispute_id": dispute_id}
    refund = 0
    if rng.random() < sigmoid(-0.3 - 0.8 * s.quality):
        refund = round(total * rng.uniform(0.3, 1.0))
        payload.update(outcome="buyer_favoured", refund=money(refund))
    elif rng.random() < 0.5:
        refund = round(total * rng.uniform(0.05, 0.3))
        payload.update(outcome="settled", refund=money(refund))
    else:
        payload["outcome"] = "seller_favoured"
    w.emit(w.pop.platform, "information", "dispute.resolved", payload, when, (s.pid, buyer.pid))
    if refund > 0 and s.trading:
        pay(w, s, rng, s, buyer, refund, when + timedelta(hours=rng.randint(2, 48)),
            w.config.confirm.buyer_delivery, {"purpose": "refund"})  # fmt: skip
        s.cash -= refund


def on_nonpay_dispute(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    bi, order_id = data
    buyer = w.pop.buyers[bi]
    if not s.trading:
        return
    w.emit(s, "information", "dispute.opened",
           {"dispute_id": s.next_id("dsp"), "order_id": order_id, "opened_by": s.pid,
            "reason": "non_payment"}, when, (buyer.pid,))  # fmt: skip
    w.metrics.disputes += 1
