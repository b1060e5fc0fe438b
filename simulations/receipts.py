"""Warehouse-receipt financing: application, loan, revaluation, margin call, cure, sale.

A lot received in a warehouse can back a loan: the warehouse issues a receipt for part of
it, the seller applies, and the lender advances ``max_advance`` of its collateral value
(quantity x reference price x (1 - quality deduction)), with an instalment schedule and an
origination fee. Each month the lender marks the pledge to the reference price with the
finance domain's rules (:mod:`finance_api.domain.collateral`): past the margin-call LTV the
seller must pay down to the advance rate within the cure period (``loan.margin_cured``),
past the liquidation LTV (or uncured) the lender sells the goods; a shortfall falls due at
once and runs into days past due.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from finance_api.domain.collateral import LtvState, cure_paydown, ltv_bp, ltv_state, max_advance
from simulations import confirmations, payments, pledges
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import Lot, ReceiptLoan
from simulations.outcomes import close
from simulations.repayment import lender_act, post_fee, repay
from simulations.underwriting import decide_receipt_loan
from simulations.world import Action, World, add_business_days, month_start

FINANCING_TAKES = timedelta(hours=6)
"""From goods received to the loan's fee: receipt, application, decision, pledge, payout."""


def maybe_pledge(w: World, s: Seller, rng: random.Random, when: datetime, lot: Lot) -> None:
    """Finance a lot just received if the seller is short of cash."""
    cfg = w.config
    if not cfg.warehouse_financing or not s.trading or s.warehouse is None:
        return
    if s.cash >= cfg.credit.pledge_below_months * s.monthly_cost:
        return
    if sum(1 for loan in s.loans if not loan.closed) >= 3:
        return
    quantity = int(lot.quantity * cfg.credit.pledge_share)
    if quantity <= 0:
        return
    if when + FINANCING_TAKES >= w.month_end:
        # the disbursement would fall after the next month's price event, and the lender
        # may advance only against the collateral's value when it pays out: a lot received
        # in a month's last hours is not financed (the ledger would refuse the advance)
        return
    lender_index = s.lender
    lender = w.lender(lender_index)
    receipt_id = pledges.issue(w, s, lot, quantity, when + timedelta(hours=1))
    principal = max_advance(pledges.value(w, s, lot), w.policies[s.sector])
    application_id = s.next_id("app")
    applied = when + timedelta(hours=2)
    w.emit(s, "finance", "credit.application",
           {"application_id": application_id, "applicant": s.pid, "lender": lender.pid,
            "product": "receipt_loan", "requested": money(principal),
            "receipt_id": receipt_id}, applied, (lender.pid,))  # fmt: skip
    s.applications.append(applied)
    w.metrics.applications += 1
    decision = decide_receipt_loan(s, lender_index, principal, applied, rng)
    decided = applied + timedelta(minutes=rng.randint(5, 90))
    head = {"application_id": application_id, "lender": lender.pid, "applicant": s.pid}
    if not decision.approved:
        w.emit(lender, "finance", "credit.decision",
               {**head, "decision": "declined", "reasons": list(decision.reasons)}, decided,
               (s.pid,))  # fmt: skip
        pledges.cancel(w, s, receipt_id, "goods_withdrawn", decided + timedelta(days=1))
        lot.receipt_id, lot.pledged = None, 0
        return
    w.emit(lender, "finance", "credit.decision",
           {**head, "decision": "approved", "limit": money(principal)}, decided,
           (s.pid,))  # fmt: skip
    _disburse(w, s, rng, lot, lender_index, principal, application_id, decided)


def _disburse(
    w: World, s: Seller, rng: random.Random, lot: Lot, lender_index: int, principal: int,
    application_id: str, when: datetime,
) -> None:  # fmt: skip
    credit = w.config.credit
    lender = w.lender(lender_index)
    loan_id = s.next_id("wrl")
    pledges.pledge(w, s, rng, loan_id, lender_index, lot, when + timedelta(minutes=30))
    dues = [month_start(w.config.start, w.month + k).date().replace(day=credit.due_day)
            for k in range(1, credit.receipt_term_months + 1)]  # fmt: skip
    loan = ReceiptLoan(loan_id, lender_index, lot, principal, when.date(), dues[-1],
                       credit.receipt_rate_bp, application_id)  # fmt: skip
    s.loans.append(loan)
    paid_out = when + timedelta(hours=1)
    loan.lend(paid_out.date(), principal)
    claim = w.emit(lender, "finance", "loan.disbursed",
                   {"loan_id": loan_id, "borrower": s.pid, "lender": lender.pid,
                    "principal": money(principal), "due_date": dues[-1].isoformat(),
                    "receipt_id": lot.receipt_id, "application_id": application_id,
                    "rate_bp": loan.rate_bp}, paid_out, (s.pid,))  # fmt: skip
    confirmations.answer(w, s, rng, (claim, "finance", lender.pid, paid_out), s,
                         w.config.confirm.borrower_funds)  # fmt: skip
    each, rest = divmod(principal, len(dues))
    schedule = [{"due_date": day.isoformat(), "principal": money(each + (rest if i == 0 else 0))}
                for i, day in enumerate(dues)]  # fmt: skip
    lender_act(w, s, loan, "schedule_issued", paid_out + timedelta(minutes=1),
               instalments=schedule)  # fmt: skip
    post_fee(w, s, loan, "origination", principal * credit.origination_fee_bp // 10_000,
             paid_out + timedelta(minutes=2))  # fmt: skip
    loan.period[0] = loan.outstanding
    loan.period[2] = 0
    s.cash += principal
    w.metrics.receipt_loans += 1
    w.metrics.receipt_loan_minor += principal


def on_revalue(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """Mark pledged lots to the month's reference price; call margin or liquidate."""
    policy = w.policies[s.sector]
    for loan in s.loans:
        if not loan.live or loan.lot.receipt_id is None or loan.outstanding <= 0:
            continue
        collateral = pledges.value(w, s, loan.lot)
        state = ltv_state(loan.outstanding, collateral, policy)
        if state is LtvState.LIQUIDATION:
            liquidate(w, s, rng, loan, when)
        elif state is LtvState.MARGIN_CALL and loan.cure_by is None:
            loan.cure_by = add_business_days(when.date(), policy.cure_business_days)
            due = cure_paydown(loan.outstanding, collateral, policy)
            lender_act(w, s, loan, "margin_called", when,
                       ltv_bp=ltv_bp(loan.outstanding, collateral),
                       cure_by=loan.cure_by.isoformat(), amount_due=money(due))  # fmt: skip
            w.metrics.margin_calls += 1
            cure_at = datetime.combine(loan.cure_by, when.timetz()).replace(hour=17)
            w.push(s, cure_at, Action.CURE, loan)


def on_cure(w: World, s: Seller, rng: random.Random, when: datetime, loan: Any) -> None:
    """The cure period ends: the price recovered, the seller paid down, or the lender sells."""
    assert isinstance(loan, ReceiptLoan)
    loan.cure_by = None
    if not loan.live or loan.lot.receipt_id is None:
        return
    policy = w.policies[s.sector]
    collateral = pledges.value(w, s, loan.lot)
    if ltv_state(loan.outstanding, collateral, policy) is LtvState.HEALTHY:
        lender_act(w, s, loan, "margin_cured", when, ltv_bp=ltv_bp(loan.outstanding, collateral))
        return
    paydown = cure_paydown(loan.outstanding, collateral, policy)
    if s.trading and s.cash >= paydown:
        payment_id = repay(w, s, rng, loan, paydown, when, release=False)
        if loan.live and loan.lot.receipt_id is not None:
            after = pledges.value(w, s, loan.lot)
            lender_act(w, s, loan, "margin_cured", when + timedelta(hours=1),
                       ltv_bp=ltv_bp(loan.outstanding, after), payment_id=payment_id)  # fmt: skip
    else:
        liquidate(w, s, rng, loan, when)


def liquidate(w: World, s: Seller, rng: random.Random, loan: ReceiptLoan, when: datetime) -> None:
    """Sell the collateral; any shortfall falls due at once and runs into days past due."""
    proceeds = pledges.sell_collateral(w, s, loan, when)
    applied = min(proceeds, loan.outstanding)
    loan.apply(applied, when.date())
    surplus = proceeds - applied
    if surplus > 0:
        lender = w.lender(loan.lender)
        payments.pay(w, s, rng, lender, s, surplus, when + timedelta(days=1),
                     w.config.confirm.borrower_funds, {"loan_id": loan.loan_id,
                                                       "purpose": "refund"})  # fmt: skip
        s.cash += surplus
    if loan.outstanding <= 0:
        close(w, s, loan, "liquidated", when.date())
        return
    loan.fall_due(when.date(), loan.outstanding - loan.arrears)
