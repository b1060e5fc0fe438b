"""Credit lines: applications, lenders' decisions, drawdowns, and the bust-out fraud.

Lenders decide from what the ledger shows (six months of payouts, share of deliveries on
time, no past default), as platform lenders did; they cannot see the hidden
creditworthiness, so some of what they approve will fail. The limit follows the rule one
bank used for cross-border sellers: half of the last six months' payouts.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from simulations.agents import CreditLine, Seller
from simulations.emitter import money
from simulations.world import World


def available_credit(s: Seller) -> int:
    return sum(
        line.limit - line.drawn
        for line in s.lines
        if not line.closed and not line.overdue and line.limit > line.drawn
    )


def ensure_cash(w: World, s: Seller, amount: int, when: datetime, allowance: int = 0) -> bool:
    """Draw on open lines if cash is short of ``amount``; say whether it can be paid.

    ``allowance`` is how far below zero the payment may take cash: the supplier credit
    (trade payables) a seller's own suppliers extend for the goods it buys.
    """
    need = amount - allowance
    if s.cash >= need:
        return True
    if not s.trading:
        return False
    short = need - s.cash + s.fixed_cost // 2
    for line in s.lines:
        if short <= 0:
            break
        if line.closed or line.overdue or line.drawn >= line.limit:
            continue
        draw = min(short, line.limit - line.drawn)
        draw_line(w, s, line, draw, when)
        short -= draw
    return s.cash >= need


def draw_line(w: World, s: Seller, line: CreditLine, amount: int, when: datetime) -> None:
    w.emit(s, "finance", "credit_line.drawn", {"line_id": line.line_id, "amount": money(amount)},
           when, (w.lender(line.lender).pid,))  # fmt: skip
    line.drawn += amount
    line.drawn_total += amount
    s.cash += amount
    w.metrics.credit_drawn_minor += amount


def on_apply(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    if not s.trading:
        return
    s.applied_month = w.month
    cfg = w.config
    requested = max(round(cfg.credit.limit_share * sum(s.payouts)), s.fixed_cost * 2, 100_000)
    if s.fraud:  # a burst: several applications within the hour, to every lender it can
        count = rng.randint(*cfg.fraud.burst_size)
        lenders = [rng.randrange(len(w.pop.lenders)) for _ in range(count)]
        times = sorted(when + timedelta(seconds=rng.randint(0, 3600)) for _ in range(count))
        for lender, moment in zip(lenders, times, strict=True):
            _application(w, s, rng, moment, lender, requested * rng.randint(2, 5))
    else:
        _application(w, s, rng, when, s.lender, requested)


def _application(
    w: World, s: Seller, rng: random.Random, when: datetime, lender_index: int, requested: int
) -> None:
    cfg = w.config.credit
    lender = w.lender(lender_index)
    application_id = s.next_id("app")
    w.emit(s, "finance", "credit.application",
           {"application_id": application_id, "applicant": s.pid, "lender": lender.pid,
            "product": "credit_line", "requested": money(requested)}, when,
           (lender.pid,))  # fmt: skip
    w.metrics.applications += 1
    payouts = sum(s.payouts)
    on_time = s.delivered_on_time / s.delivered if s.delivered else 0.0
    holds = any(line.lender == lender_index and not line.closed for line in s.lines)
    approved = (
        payouts >= cfg.min_payouts_usd * 100
        and on_time >= cfg.min_on_time
        and s.default_date is None
        and not holds
        and rng.random() < cfg.approve_prob
    )
    decided = when + timedelta(seconds=rng.randint(1, 600))
    if not approved:
        w.emit(lender, "finance", "credit.decision",
               {"application_id": application_id, "decision": "declined"}, decided,
               (s.pid,))  # fmt: skip
        return
    limit = round(min(cfg.limit_cap_usd * 100, max(cfg.limit_floor_usd * 100,
                                                   cfg.limit_share * payouts)))  # fmt: skip
    w.emit(lender, "finance", "credit.decision",
           {"application_id": application_id, "decision": "approved", "limit": money(limit)},
           decided, (s.pid,))  # fmt: skip
    line = CreditLine(s.next_id("cl"), lender_index, limit, decided.date())
    s.lines.append(line)
    w.emit(lender, "finance", "credit_line.opened",
           {"line_id": line.line_id, "borrower": s.pid, "lender": lender.pid,
            "limit": money(limit)}, decided + timedelta(seconds=1), (s.pid,))  # fmt: skip
    w.metrics.lines_opened += 1


def on_fixed(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """The month's overheads fall due; a fraudster holding credit lines busts out instead."""
    if not s.trading:
        return
    if s.fraud and available_credit(s) > 0:
        for line in s.lines:
            if not line.closed and line.limit > line.drawn:
                draw_line(w, s, line, line.limit - line.drawn, when)
        s.status = "absconded"
        s.cash = 0
        w.metrics.absconded += 1
        return
    ensure_cash(w, s, s.fixed_cost, when)
    s.cash -= s.fixed_cost
