"""Applying for credit lines: who applies, to which lenders, and what the lenders say.

Firms apply when they are short of cash or in distress far more often than when they are
not, and a declined firm in need tries another lender within days: that is the adverse
selection lenders face. A bust-out fraudster applies to several lenders at once, either in
a burst within the hour (which some lenders' velocity rule catches) or spread over a few
weeks (which looks like an honest firm shopping around).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from simulations import credit_lines
from simulations.agents import Seller
from simulations.emitter import money
from simulations.underwriting import decide_line
from simulations.world import Action, World


def wants_credit(w: World, s: Seller, rng: random.Random) -> bool:
    credit, month = w.config.credit, w.month
    if month < 1 or month - s.applied_month < 3 or s.default_date is not None:
        return False
    today = w.month_begin.date()
    if any(line.live and line.expires > today + timedelta(days=60) for line in s.lines):
        return False
    if s.fraud:
        return month >= s.fraud_from
    if s.distressed:
        return rng.random() < w.config.distress.apply_in_distress
    short = s.cash < w.config.trade.cash_target_months * s.monthly_cost / 2
    return rng.random() < (credit.apply_need_prob if short else credit.apply_prob)


def onboard(w: World, s: Seller, rng: random.Random, when: datetime) -> None:
    """A firm joining the ledger brings the line its lender already granted from its own
    records: the application and the approval are recorded on the first day."""
    credit = w.config.credit
    lender = w.lender(s.lender)
    limit = round(6 * s.expected_sales * rng.uniform(*credit.limit_share))
    limit = round(min(credit.limit_cap_usd * 100, max(credit.limit_floor_usd * 100, limit)))
    application_id = s.next_id("app")
    w.emit(s, "finance", "credit.application",
           {"application_id": application_id, "applicant": s.pid, "lender": lender.pid,
            "product": "credit_line", "requested": money(limit)}, when, (lender.pid,))  # fmt: skip
    decided = when + timedelta(minutes=rng.randint(1, 30))
    w.emit(lender, "finance", "credit.decision",
           {"application_id": application_id, "lender": lender.pid, "applicant": s.pid,
            "decision": "approved", "limit": money(limit),
            "reason": "existing relationship"}, decided, (s.pid,))  # fmt: skip
    credit_lines.open_line(w, s, s.lender, limit, decided + timedelta(seconds=1), application_id)


def _requested(s: Seller) -> int:
    return max(round(0.5 * sum(s.payouts)), s.fixed_cost * 2, 100_000)


def on_apply(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    if not s.trading:
        return
    s.applied_month = w.month
    n = len(w.pop.lenders)
    if data is not None:  # a later application after a decline: (lender, attempts left)
        lender, left = data
        if apply(w, s, rng, when, lender, _requested(s)) or left <= 0:
            return
        _shop(w, s, rng, when, lender, left - 1)
        return
    if not s.fraud:
        if not apply(w, s, rng, when, s.lender, _requested(s)):
            need = s.distressed or s.cash < s.monthly_cost
            if rng.random() < (0.8 if need else 0.4):
                _shop(w, s, rng, when, s.lender, rng.randint(0, 1))
        return
    fraud = w.config.fraud
    burst = rng.random() < fraud.burst_share
    count = min(n, rng.randint(*(fraud.burst_size if burst else fraud.spread_size)))
    lenders = rng.sample(range(n), count)
    span = 3600 if burst else 28 * 86400
    times = sorted(when + timedelta(seconds=rng.randint(0, span)) for _ in lenders)
    for lender, moment in zip(lenders, times, strict=True):
        requested = _requested(s) * rng.randint(2, 5)
        if moment < w.month_end:
            apply(w, s, rng, moment, lender, requested)
        else:
            w.push(s, moment, Action.APPLY, (lender, 0))


def _shop(w: World, s: Seller, rng: random.Random, when: datetime, last: int, left: int) -> None:
    """Try another lender a few days later."""
    others = [i for i in range(len(w.pop.lenders)) if i != last]
    w.push(s, when + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8)), Action.APPLY,
           (rng.choice(others), left))  # fmt: skip


def apply(
    w: World, s: Seller, rng: random.Random, when: datetime, lender_index: int, requested: int
) -> bool:
    """One application and its decision; return whether a line was opened."""
    lender = w.lender(lender_index)
    application_id = s.next_id("app")
    w.emit(s, "finance", "credit.application",
           {"application_id": application_id, "applicant": s.pid, "lender": lender.pid,
            "product": "credit_line", "requested": money(requested)}, when,
           (lender.pid,))  # fmt: skip
    s.applications.append(when)
    w.metrics.applications += 1
    decision = decide_line(w.policy(lender_index), w.config.credit, s, lender_index, w.month,
                           when, rng)  # fmt: skip
    decided = when + timedelta(seconds=rng.randint(1, 600))
    payload: dict[str, Any] = {"application_id": application_id, "lender": lender.pid,
                               "applicant": s.pid}  # fmt: skip
    if not decision.approved:
        w.emit(lender, "finance", "credit.decision",
               {**payload, "decision": "declined", "reasons": list(decision.reasons)}, decided,
               (s.pid,))  # fmt: skip
        return False
    w.emit(lender, "finance", "credit.decision",
           {**payload, "decision": "approved", "limit": money(decision.limit)}, decided,
           (s.pid,))  # fmt: skip
    credit_lines.open_line(w, s, lender_index, decision.limit, decided + timedelta(seconds=1),
                           application_id)  # fmt: skip
    return True
