"""Credit lines: opening, drawing, freezing, expiring and closing; the bust-out.

A line is revolving: drawn within its limit, repaid by instalments, restored as it is
repaid. The lender freezes it when the borrower is 30 days past due anywhere on the line
and lifts the freeze when the arrears are paid; at expiry an undrawn line closes and a
drawn one amortises out and closes when repaid. Every act is the lender's, on the ledger.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from simulations import confirmations
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import CreditLine
from simulations.outcomes import close
from simulations.world import World, month_start


def available_credit(s: Seller, when: datetime) -> int:
    today = when.date()
    return sum(line.available(today) for line in s.lines)


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
        draw = min(short, line.available(when.date()))
        if draw > 0:
            draw_line(w, s, line, draw, when)
            short -= draw
    return s.cash >= need


def draw_line(w: World, s: Seller, line: CreditLine, amount: int, when: datetime) -> None:
    # The draw changes the line now: it is dated within this month, never after the next
    # month's statement (which would otherwise report a balance drawn later that day).
    when = min(when, w.month_end - timedelta(seconds=1))
    lender = w.lender(line.lender)
    claim = w.emit(lender, "finance", "credit_line.drawn",
                   {"line_id": line.line_id, "lender": lender.pid, "borrower": s.pid,
                    "amount": money(amount)}, when, (s.pid,))  # fmt: skip
    rng = random.Random(f"{line.line_id}/{line.drawn_total}")  # no draw on the month's stream
    confirm = 0.0 if s.status == "absconded" else w.config.confirm.borrower_funds
    confirmations.answer(w, s, rng, (claim, "finance", lender.pid, when), s, confirm)
    line.lend(when.date(), amount)
    line.drawn_total += amount
    s.cash += amount
    w.metrics.credit_drawn_minor += amount


def open_line(
    w: World, s: Seller, lender_index: int, limit: int, when: datetime, application_id: str
) -> None:
    cfg = w.config.credit
    lender, policy = w.lender(lender_index), w.policy(lender_index)
    expires = (month_start(w.config.start, w.month + cfg.line_term_months) + timedelta(
        days=when.day - 1)).date()  # fmt: skip
    line = CreditLine(s.next_id("cl"), lender_index, limit, when.date(), expires,
                      policy.line_rate_bp, application_id)  # fmt: skip
    s.lines.append(line)
    w.emit(lender, "finance", "credit_line.opened",
           {"line_id": line.line_id, "borrower": s.pid, "lender": lender.pid,
            "limit": money(limit), "application_id": application_id,
            "expires_on": expires.isoformat(), "rate_bp": line.rate_bp,
            "instalments": cfg.line_instalments}, when, (s.pid,))  # fmt: skip
    w.metrics.lines_opened += 1


def _act(w: World, s: Seller, line: CreditLine, etype: str, when: datetime, **extra: Any) -> None:
    lender = w.lender(line.lender)
    w.emit(lender, "finance", etype, {"line_id": line.line_id, "lender": lender.pid, **extra},
           when, (s.pid,))  # fmt: skip


def freeze(w: World, s: Seller, line: CreditLine, reason: str, when: datetime) -> None:
    if not line.frozen and not line.closed:
        line.frozen = True
        _act(w, s, line, "credit_line.frozen", when, reason=reason)


def unfreeze_if_cured(w: World, s: Seller, line: CreditLine, when: datetime) -> None:
    if line.frozen and line.live and not line.overdue and s.trading:
        line.frozen = False
        _act(w, s, line, "credit_line.unfrozen", when)


def close_line(w: World, s: Seller, line: CreditLine, reason: str, when: datetime) -> None:
    """Close a line the lender is done with (nothing owed, or what is owed written off)."""
    _act(w, s, line, "credit_line.closed", when, reason=reason)
    if not line.defaulted:
        close(w, s, line, "repaid" if line.drawn_total else "unused", when.date())
    line.closed = True


def expire(w: World, s: Seller, when: datetime) -> None:
    """At the statement date: lines past expiry close once nothing is owed on them."""
    today: date = when.date()
    for line in s.lines:
        if line.live and today >= line.expires and line.drawn <= 0:
            reason = "expired" if line.drawn_total == 0 else "repaid_after_expiry"
            close_line(w, s, line, reason, when)


def on_fixed(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """The month's overheads fall due; a fraudster holding credit lines busts out instead."""
    if not s.trading:
        return
    if s.fraud and available_credit(s, when) > 0 and w.month >= s.fraud_from:
        for line in s.lines:
            if line.available(when.date()) > 0:
                draw_line(w, s, line, line.available(when.date()), when)
        s.status = "absconded"
        s.cash = 0
        w.metrics.absconded += 1
        return
    ensure_cash(w, s, s.fixed_cost, when)
    s.cash -= s.fixed_cost
