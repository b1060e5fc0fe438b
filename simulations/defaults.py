"""Defaults and what follows them: collateral sales, recoveries, write-offs.

A facility defaults at 90 days past due, or when its borrower files for insolvency (the
lender accelerates: "unlikely to pay", as the Basel definition has it). Every step after
is on the ledger with the facility's own id: ``loan.defaulted`` / ``credit_line.defaulted``
with the exposure at default; for a receipt loan the sale of the goods (and the receipt
released and cancelled) and a ``recovery_posted`` of the proceeds; a dividend from the
insolvency estate, or a settlement paid by a borrower still trading; then the write-off
of the rest. Loss given default is therefore learnable from the ledger alone.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from simulations import credit_lines, payments, pledges
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import CreditLine, Facility, ReceiptLoan
from simulations.outcomes import close
from simulations.repayment import lender_act
from simulations.world import Action, World


def declare(
    w: World, s: Seller, f: Facility, when: datetime, reason: str, dpd: int | None = None
) -> None:
    """The lender declares the facility in default and schedules recovery and write-off."""
    credit = w.config.credit
    f.default_day, f.default_reason = when.date(), reason
    f.ead = f.balance
    extra: dict[str, Any] = {"days_past_due": dpd} if dpd else {}
    lender_act(w, s, f, "defaulted", when, amount=money(f.ead), reason=reason, **extra)
    w.metrics.defaults += 1
    w.metrics.default_exposure_minor += f.ead
    if s.default_date is None:
        s.default_date = when.date()
        w.metrics.defaulted_sellers += 1
    if isinstance(f, ReceiptLoan) and f.lot.receipt_id is not None:
        w.push(s, when + timedelta(days=7), Action.RECOVER, (f, "collateral_sale"))
    rng = random.Random(f"{f.ident}/recovery")
    w.push(s, when + timedelta(days=rng.randint(*credit.recovery_days)), Action.RECOVER,
           (f, "unsecured"))  # fmt: skip
    w.push(s, when + timedelta(days=credit.write_off_days), Action.WRITE_OFF, f)


def on_recover(w: World, s: Seller, rng: random.Random, when: datetime, data: Any) -> None:
    f, source = data
    assert isinstance(f, Facility)
    if f.closed:
        return
    owed = f.ead - f.recovered
    amount = 0
    if source == "collateral_sale":
        assert isinstance(f, ReceiptLoan)
        if f.lot.receipt_id is None:
            return
        proceeds = pledges.sell_collateral(w, s, f, when)
        amount = min(proceeds, owed)
        if proceeds > amount:
            s.cash += proceeds - amount  # the surplus goes back to the borrower
    elif s.status == "failed":
        source = "insolvency_estate"
        amount = round(owed * rng.uniform(*w.config.credit.insolvency_recovery))
    elif s.trading and s.cash <= 0:  # still trading, nothing to pay with yet: chase again
        if f.default_day is not None and when.date() < f.default_day + timedelta(
            days=w.config.credit.write_off_days - 35
        ):
            w.push(s, when + timedelta(days=30), Action.RECOVER, (f, source))
        return
    elif s.trading:
        source = "borrower"
        amount = min(s.cash, round(owed * rng.uniform(*w.config.credit.settlement_recovery)))
        s.cash -= amount
        extra = {f.key: f.ident, "purpose": "recovery"}
        payments.pay(w, s, rng, s, w.lender(f.lender), amount, when - timedelta(hours=2),
                     w.config.confirm.institution, extra)  # fmt: skip
    if amount <= 0:
        return
    f.recovered += amount
    w.metrics.recoveries_minor += amount
    lender_act(w, s, f, "recovery_posted", when + timedelta(hours=1), amount=money(amount),
               source=source)  # fmt: skip


def on_write_off(w: World, s: Seller, rng: random.Random, when: datetime, f: Any) -> None:
    assert isinstance(f, Facility)
    if f.closed:
        return
    loss = max(0, f.ead - f.recovered)
    lender_act(w, s, f, "written_off", when, amount=money(loss))
    w.metrics.losses_minor += loss
    if isinstance(f, CreditLine):
        credit_lines.close_line(w, s, f, "written_off", when + timedelta(minutes=5))
    close(w, s, f, "defaulted", when.date())


def on_accelerate(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """After an insolvency filing every lender with a claim declares default."""
    for f in s.live_facilities():
        if f.balance > 0:
            declare(w, s, f, when + timedelta(minutes=rng.randint(0, 600)), "insolvency")
        elif isinstance(f, CreditLine):
            credit_lines.freeze(w, s, f, "insolvency", when)
            credit_lines.close_line(w, s, f, "borrower_insolvent", when + timedelta(hours=1))
