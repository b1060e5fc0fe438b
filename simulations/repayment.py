"""Repaying a facility, and the lender's acts on it, shared by servicing, receipts, defaults.

A repayment is two parties' acts: the borrower's ``payment.made`` to the lender (which the
lender confirms) and the lender's ``loan.repaid`` / ``credit_line.repaid`` applying it.
Paying down a receipt loan releases goods in proportion (the receipt is split).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from simulations import credit_lines, orders, payments, pledges
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import CreditLine, Facility, ReceiptLoan
from simulations.outcomes import close
from simulations.world import World


def spendable(w: World, s: Seller) -> int:
    """What a borrower can put towards its lenders: cash, stretching its suppliers."""
    if not s.trading:
        return 0
    return max(0, s.cash + orders.supplier_credit(w, s))


def lender_act(w: World, s: Seller, f: Facility, name: str, when: datetime, **extra: Any) -> str:
    """Emit ``{loan|credit_line}.{name}`` by the facility's lender."""
    lender = w.lender(f.lender)
    return w.emit(lender, "finance", f"{f.kind}.{name}",
                  {f.key: f.ident, "lender": lender.pid, **extra}, when, (s.pid,))  # fmt: skip


def post_fee(w: World, s: Seller, f: Facility, fee: str, amount: int, when: datetime) -> None:
    if amount > 0:
        f.charge(amount)
        f.period[2] += amount
        lender_act(w, s, f, "fee_posted", when, amount=money(amount), fee=fee)


def repay(
    w: World, s: Seller, rng: random.Random, f: Facility, amount: int, when: datetime,
    *, release: bool = True,
) -> str:  # fmt: skip
    """The borrower pays the lender; the lender applies it. Return the payment id.

    A receipt loan's goods are released in proportion, except for a margin-call paydown
    (``release=False``), which must bring loan-to-value down, not keep it where it was.
    """
    s.cash -= amount
    lender = w.lender(f.lender)
    payment_id, _ = payments.pay(w, s, rng, s, lender, amount, when, w.config.confirm.institution,
                                 {f.key: f.ident, "purpose": "repayment"})  # fmt: skip
    before = f.balance
    applied = when + timedelta(minutes=20)
    f.apply(amount, applied.date())
    lender_act(w, s, f, "repaid", applied, amount=money(amount),
               payment_id=payment_id)  # fmt: skip
    if isinstance(f, ReceiptLoan):
        if release or f.outstanding <= 0:
            pledges.release(w, s, f, before, when)
        if f.outstanding <= 0:
            close(w, s, f, "repaid", when.date())
    else:
        assert isinstance(f, CreditLine)
        credit_lines.unfreeze_if_cured(w, s, f, when + timedelta(hours=1))
    return payment_id
