"""How lenders decide: each lender's policy, and the reasons it gives for a decline.

Lenders see only what the ledger shows of an applicant (months of history, payouts over
six months, the share of deliveries on time, days past due and defaults anywhere, open
lines, recent applications), as platform lenders underwrite from sales data. They cannot
see hidden cash, distress or intent, so firms in distress that still look good get credit
(adverse selection) and some bust-outs get through. Lenders differ in appetite, so an
applicant declined by one may be approved by another.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from simulations.agents import Seller
from simulations.config import CreditConfig

MAX_REASONS = 4  # principal reasons per adverse decision (Regulation B)


@dataclass(frozen=True, slots=True)
class LenderPolicy:
    """One lender's credit appetite, drawn once from the seed."""

    history_months: int
    min_payouts_minor: int
    min_on_time: float
    approve_prob: float
    velocity_rule: bool
    limit_share: float
    line_rate_bp: int


def draw_policies(credit: CreditConfig, rng: random.Random, count: int) -> list[LenderPolicy]:
    return [
        LenderPolicy(
            history_months=rng.randint(*credit.history_months),
            min_payouts_minor=round(rng.uniform(*credit.min_payouts_usd) * 100),
            min_on_time=rng.uniform(*credit.min_on_time),
            approve_prob=rng.uniform(*credit.approve_prob),
            velocity_rule=rng.random() < credit.velocity_rule_share,
            limit_share=rng.uniform(*credit.limit_share),
            line_rate_bp=rng.randint(*credit.line_rate_bp),
        )
        for _ in range(count)
    ]


@dataclass(frozen=True, slots=True)
class Decision:
    approved: bool
    limit: int
    reasons: tuple[str, ...]


def _standing(s: Seller, lender: int, when: datetime) -> list[str]:
    """Reasons any lender would hold against the applicant, from its ledger record."""
    reasons = []
    today = when.date()
    if any(f.first_missed is not None and f.first_missed < today for f in s.live_facilities()):
        reasons.append("delinquency")
    if s.default_date is not None:
        reasons.append("prior_default")
    mine = [line for line in s.lines if line.lender == lender and not line.closed]
    if mine or sum(1 for line in s.lines if not line.closed) >= 3:
        reasons.append("existing_exposure")
    return reasons


def decide_line(
    policy: LenderPolicy,
    credit: CreditConfig,
    s: Seller,
    lender: int,
    month: int,
    when: datetime,
    rng: random.Random,
) -> Decision:
    reasons = []
    if month < policy.history_months:
        reasons.append("insufficient_history")
    payouts = sum(s.payouts)
    if payouts < policy.min_payouts_minor:
        reasons.append("low_revenue")
    on_time = s.delivered_on_time / s.delivered if s.delivered else 0.0
    if s.delivered and on_time < policy.min_on_time:
        reasons.append("late_deliveries")
    reasons.extend(_standing(s, lender, when))
    week = when - timedelta(days=7)
    if policy.velocity_rule and sum(1 for t in s.applications if t >= week) >= 3:
        reasons.append("application_velocity")
    if not reasons and rng.random() >= policy.approve_prob:
        reasons.append("policy")
    if reasons:
        return Decision(False, 0, tuple(reasons[:MAX_REASONS]))
    limit = round(min(credit.limit_cap_usd * 100,
                      max(credit.limit_floor_usd * 100, policy.limit_share * payouts)))  # fmt: skip
    return Decision(True, limit, ())


def decide_receipt_loan(
    s: Seller, lender: int, principal: int, when: datetime, rng: random.Random
) -> Decision:
    """Secured lending needs no history: the pledged goods stand behind the loan."""
    reasons = [r for r in _standing(s, lender, when) if r != "existing_exposure"]
    if principal < 10_000:
        reasons.append("insufficient_collateral")
    if not reasons and rng.random() < 0.05:
        reasons.append("policy")
    if reasons:
        return Decision(False, 0, tuple(reasons[:MAX_REASONS]))
    return Decision(True, principal, ())
