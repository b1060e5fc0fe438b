"""Servicing credit: interest and fees posted, statements, instalments paid or missed.

Each month, on the statement day, the lender posts the interest accrued since the last
posting (daily, ACT/365, on the principal outstanding each day, at the annual rate: the
ledger's own rule, :mod:`ledger.core.interest`, which the projectors check) to every
facility with a balance and issues a statement (opening and closing balance, interest, fees,
payments, the amount due and its due date). On the due date the borrower pays what its
hidden cash allows, oldest amount first: a ``payment.made`` to the lender, which the lender
confirms and applies (``loan.repaid`` / ``credit_line.repaid``). What it cannot pay stays
overdue and costs a late fee. The day after, the lender reports days past due (from the
oldest unpaid amount), freezes lines at 30 and declares default at 90.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from simulations import credit_lines, defaults
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import CreditLine, Facility, ReceiptLoan
from simulations.repayment import lender_act, post_fee, repay, spendable
from simulations.world import World


def _months_left(today: date, maturity: date) -> int:
    return max(1, (maturity.year - today.year) * 12 + maturity.month - today.month + 1)


def on_statement(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    cfg = w.config.credit
    credit_lines.expire(w, s, when)
    today = when.date()
    due_date = today.replace(day=cfg.due_day)
    for f in s.live_facilities():
        opening, _, fees, paid = f.period
        if f.balance <= 0 and not (fees or paid):
            continue
        # a facility repaid in full is not charged the days it ran before (the lender waives
        # the residual); were it drawn again, that accrual would be posted with the next
        interest = max(0, f.interest_due(today)) if f.balance > 0 else 0
        if interest > 0:
            f.charge(interest, interest=True)
            period_end = (today - timedelta(days=1)).isoformat()
            lender_act(w, s, f, "interest_posted", when, amount=money(interest),
                       rate_bp=f.rate_bp, period_end=period_end)  # fmt: skip
            w.metrics.interest_minor += interest
        current = f.balance - f.arrears
        if isinstance(f, ReceiptLoan):
            instalment = math.ceil(current / _months_left(today, f.maturity))
        else:
            instalment = math.ceil(current / cfg.line_instalments)
        instalment = max(0, min(current, instalment))
        f.next_due = (due_date, instalment) if instalment > 0 else None
        extra: dict[str, Any] = {}
        if isinstance(f, CreditLine):
            extra["limit"] = money(f.limit)
        lender_act(w, s, f, "statement_issued", when + timedelta(minutes=5),
                   statement_date=today.isoformat(), opening_balance=money(opening),
                   interest=money(interest), fees=money(fees), payments=money(paid),
                   closing_balance=money(f.balance), amount_due=money(instalment + f.arrears),
                   due_date=due_date.isoformat(), days_past_due=s_dpd(f, today),
                   **extra)  # fmt: skip
        f.period = [f.balance, 0, 0, 0]


def s_dpd(f: Facility, today: date) -> int:
    first = f.first_missed
    return (today - first).days if first is not None and first < today else 0


def on_due(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """The due date: this month's instalment falls due and the borrower pays what it can."""
    cfg = w.config.credit
    for f in s.live_facilities():
        if f.next_due is not None:
            f.fall_due(*f.next_due)
            f.next_due = None
        paid = min(spendable(w, s), f.arrears, f.balance)  # never more than is owed
        if paid > 0:
            repay(w, s, rng, f, paid, when)
        unpaid = f.arrears
        if unpaid > 0 and f.live:
            fee = max(round(cfg.late_fee_min_usd * 100), unpaid * cfg.late_fee_bp // 10_000)
            post_fee(w, s, f, "late_payment", fee, when + timedelta(hours=6))


def on_dpd(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """Report days past due the day after the due date; freeze at 30; default at 90."""
    cfg = w.config.credit
    today = when.date()
    for f in s.live_facilities():
        dpd = s_dpd(f, today)
        if dpd <= 0:
            continue
        lender_act(w, s, f, "past_due", when, days_past_due=dpd, amount=money(f.arrears))
        w.metrics.past_due_events += 1
        if isinstance(f, CreditLine) and dpd >= cfg.freeze_dpd:
            credit_lines.freeze(w, s, f, "past_due", when + timedelta(minutes=30))
        if dpd >= cfg.default_dpd:
            defaults.declare(w, s, f, when + timedelta(hours=1), "days_past_due", dpd)


def cure_arrears(w: World, s: Seller, rng: random.Random, when: datetime) -> None:
    """At the month end a seller with spare cash pays what is overdue."""
    for f in s.live_facilities():
        spare = spendable(w, s) - s.fixed_cost // 2
        if f.overdue and spare > 0:
            repay(w, s, rng, f, min(spare, f.arrears), when)
