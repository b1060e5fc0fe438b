"""Servicing credit: interest, instalments paid or missed, days past due, defaults, losses.

A borrower pays what its hidden cash allows, oldest instalment first; what it cannot pay
stays overdue. The day after each due date the lender reports days past due (counted from
the oldest unpaid instalment); at ``default_dpd`` the facility defaults. So a default is
always preceded by days past due, and it comes from a cash shortfall, not a coin flip.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from simulations import receipts, trade
from simulations.agents import CreditLine, Facility, ReceiptLoan, Seller
from simulations.emitter import money
from simulations.outcomes import close
from simulations.world import World


def _months_left(today: date, maturity: date) -> int:
    return max(1, (maturity.year - today.year) * 12 + maturity.month - today.month + 1)


def _spendable(w: World, s: Seller) -> int:
    """What a borrower can put towards its lenders: cash, stretching its suppliers."""
    if s.status == "absconded":
        return 0
    return max(0, s.cash + trade.supplier_credit(w, s))


def on_debt(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """The monthly due date: interest accrues, an instalment falls due, the borrower pays."""
    credit = w.config.credit
    today = when.date()
    for f in s.open_facilities():
        if isinstance(f, ReceiptLoan):
            interest = round(f.outstanding * credit.receipt_rate)
            f.outstanding += interest
            current = f.outstanding - f.arrears
            f.fall_due(today, math.ceil(current / _months_left(today, f.maturity)))
        else:
            assert isinstance(f, CreditLine)
            if f.drawn == 0:
                continue
            interest = round(f.drawn * credit.line_rate)
            f.drawn += interest
            f.fall_due(today, math.ceil((f.drawn - f.arrears) / credit.line_instalments))
        w.metrics.interest_minor += interest
        paid = min(_spendable(w, s), f.arrears)
        if paid > 0:
            pay(w, s, f, paid, when)


def pay(w: World, s: Seller, f: Facility, amount: int, when: datetime) -> None:
    s.cash -= amount
    f.apply(amount)
    lender = w.lender(f.lender)
    if isinstance(f, CreditLine):
        f.drawn -= amount
        w.emit(s, "finance", "credit_line.repaid", {"line_id": f.line_id, "amount": money(amount)},
               when, (lender.pid,))  # fmt: skip
        return
    assert isinstance(f, ReceiptLoan)
    before = f.outstanding
    f.outstanding -= amount
    w.emit(s, "finance", "loan.repaid", {"loan_id": f.loan_id, "amount": money(amount)},
           when, (lender.pid,))  # fmt: skip
    receipts.release(w, s, f, before, when)
    if f.outstanding <= 0:
        close(w, s, f, "repaid", when.date(), 0, 0, 0)


def on_dpd(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """Report days past due the day after the due date; default at the threshold."""
    today = when.date()
    for f in s.open_facilities():
        first = f.first_missed
        if first is None:
            continue
        dpd = max(1, (today - first).days)
        w.emit(w.lender(f.lender), "finance", "loan.past_due",
               {"loan_id": f.ident, "days_past_due": dpd, "amount": money(f.arrears)},
               when, (s.pid,))  # fmt: skip
        w.metrics.past_due_events += 1
        if dpd >= w.config.credit.default_dpd:
            default(w, s, f, when + timedelta(hours=1))


def default(w: World, s: Seller, f: Facility, when: datetime) -> None:
    credit = w.config.credit
    ead = f.balance
    w.emit(w.lender(f.lender), "finance", "loan.defaulted",
           {"loan_id": f.ident, "amount": money(ead)}, when, (s.pid,))  # fmt: skip
    w.metrics.defaults += 1
    w.metrics.default_exposure_minor += ead
    recovery = 0
    if isinstance(f, ReceiptLoan) and f.lot.receipt_id is not None:
        recovery = min(ead, receipts.sell_collateral(w, s, f, when + timedelta(days=7)))
    recovery += round((ead - recovery) * credit.unsecured_recovery)
    loss = ead - recovery
    w.metrics.losses_minor += loss
    close(w, s, f, "defaulted", when.date(), ead, recovery, loss)
    if s.default_date is None:
        s.default_date = when.date()
        w.metrics.defaulted_sellers += 1
    if s.status == "active":
        s.status = "defaulted"


def cure_arrears(w: World, s: Seller, when: datetime) -> None:
    """At the month end a seller with spare cash pays what is overdue."""
    for f in s.open_facilities():
        spare = _spendable(w, s) - s.fixed_cost // 2
        if f.overdue and spare > 0:
            pay(w, s, f, min(spare, f.arrears), when)
