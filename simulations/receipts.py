"""Warehouse-receipt financing: pledge, partial release, revaluation, margin call, sale.

A lot received in a warehouse can back a loan: the warehouse issues a receipt for it, the
seller pledges the receipt, the lender lends ``ltv_init`` of its collateral value
(quantity x reference price x (1 - quality deduction)). Each instalment releases goods in
proportion (the receipt is split: released, and reissued for what stays pledged). Each
month the lender marks the pledge to the reference price: past the margin-call LTV the
seller must pay down within the cure period, past the liquidation LTV (or uncured) the
lender sells the goods; a shortfall falls due at once and runs into days past due.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

from simulations.agents import Lot, ReceiptLoan, Seller
from simulations.emitter import money
from simulations.outcomes import close
from simulations.world import Action, World, month_start


def maybe_pledge(w: World, s: Seller, rng: random.Random, when: datetime, lot: Lot) -> None:
    """Finance a lot just received if the seller is short of cash and in good standing."""
    cfg = w.config
    if not cfg.warehouse_financing or not s.trading or s.warehouse is None:
        return
    if any(f.overdue for f in s.open_facilities()):
        return
    if s.cash >= cfg.credit.pledge_below_months * s.monthly_cost:
        return
    if sum(1 for loan in s.loans if not loan.closed) >= 3:
        return
    sector = cfg.sectors[s.sector]
    pledged = int(lot.quantity * cfg.credit.pledge_share)
    value = pledged * w.unit_price(s) * (10_000 - sector.quality_deduction_bp) // 10_000
    principal = value * sector.ltv_init_bp // 10_000
    if principal < 10_000:
        return
    lender = w.lender(s.lender)
    loan_id = s.next_id("wrl")
    lot.pledged = pledged
    _issue_receipt(w, s, lot, loan_id, when + timedelta(hours=1))
    maturity = month_start(cfg.start, w.month + cfg.credit.receipt_term_months).date()
    maturity = maturity.replace(day=cfg.credit.due_day)
    w.emit(lender, "finance", "loan.disbursed",
           {"loan_id": loan_id, "borrower": s.pid, "lender": lender.pid,
            "principal": money(principal), "due_date": maturity.isoformat(),
            "receipt_id": lot.receipt_id}, when + timedelta(hours=3), (s.pid,))  # fmt: skip
    s.loans.append(ReceiptLoan(loan_id, s.lender, lot, principal, when.date(), maturity))
    s.cash += principal
    w.metrics.receipt_loans += 1
    w.metrics.receipt_loan_minor += principal


def _issue_receipt(w: World, s: Seller, lot: Lot, loan_id: str, when: datetime) -> None:
    """The warehouse issues a receipt for the pledged part of a lot; the seller pledges it."""
    assert s.warehouse is not None
    sector = w.config.sectors[s.sector]
    warehouse, lender = w.pop.warehouses[s.warehouse], w.lender(s.lender)
    receipt_id = s.next_id("wr")
    lot.receipt_id = receipt_id
    value = lot.pledged * w.unit_price(s) * (10_000 - sector.quality_deduction_bp) // 10_000
    digest = hashlib.sha256(f"{receipt_id}|{lot.lot_id}|{lot.pledged}".encode()).hexdigest()
    w.emit(warehouse, "finance", "receipt.issued",
           {"receipt_id": receipt_id, "warehouse_id": warehouse.pid, "holder": s.pid,
            "lot_id": lot.lot_id, "commodity": sector.commodity, "quantity": lot.pledged,
            "value": money(value), "document_hash": digest, "unit": sector.unit},
           when, (s.pid,))  # fmt: skip
    w.emit(s, "finance", "receipt.pledged",
           {"receipt_id": receipt_id, "lender": lender.pid, "loan_id": loan_id},
           when + timedelta(minutes=30), (lender.pid,))  # fmt: skip


def release(w: World, s: Seller, loan: ReceiptLoan, before: int, when: datetime) -> None:
    """Release goods in proportion to the principal repaid: the receipt is split."""
    lot = loan.lot
    if lot.receipt_id is None or before <= 0:
        return
    keep = 0 if loan.outstanding <= 0 else lot.pledged * loan.outstanding // before
    if keep == lot.pledged:
        return
    w.emit(w.lender(loan.lender), "finance", "receipt.released", {"receipt_id": lot.receipt_id},
           when + timedelta(hours=1), (s.pid,))  # fmt: skip
    lot.receipt_id = None
    lot.pledged = keep
    if keep > 0:
        _issue_receipt(w, s, lot, loan.loan_id, when + timedelta(hours=2))


def collateral_value(w: World, s: Seller, loan: ReceiptLoan) -> int:
    sector = w.config.sectors[s.sector]
    return loan.lot.pledged * w.unit_price(s) * (10_000 - sector.quality_deduction_bp) // 10_000


def sell_collateral(w: World, s: Seller, loan: ReceiptLoan, when: datetime) -> int:
    """The lender sells the pledged goods at a discount; they leave the seller's stock."""
    proceeds = round(collateral_value(w, s, loan) * (1 - w.config.credit.liquidation_discount))
    w.emit(w.lender(loan.lender), "finance", "collateral.liquidated",
           {"loan_id": loan.loan_id, "receipt_id": loan.lot.receipt_id or loan.loan_id,
            "proceeds": money(proceeds), "quantity": loan.lot.pledged}, when,
           (s.pid,))  # fmt: skip
    w.metrics.liquidations += 1
    loan.lot.quantity -= loan.lot.pledged
    loan.lot.pledged = 0
    loan.lot.receipt_id = None
    s.lots = [lot for lot in s.lots if lot.quantity > 0]
    return proceeds


def on_revalue(w: World, s: Seller, rng: random.Random, when: datetime, _: Any) -> None:
    """Mark pledged lots to the month's reference price; call margin or liquidate."""
    sector = w.config.sectors[s.sector]
    for loan in s.loans:
        if loan.closed or loan.lot.receipt_id is None or loan.outstanding <= 0:
            continue
        ltv_bp = loan.outstanding * 10_000 // max(1, collateral_value(w, s, loan))
        if ltv_bp >= sector.ltv_liquidation_bp:
            _liquidate(w, s, loan, when)
        elif ltv_bp >= sector.ltv_margin_bp and loan.cure_by is None:
            loan.cure_by = when.date() + timedelta(days=10)
            w.emit(w.lender(loan.lender), "finance", "loan.margin_called",
                   {"loan_id": loan.loan_id, "ltv_bp": ltv_bp,
                    "cure_by": loan.cure_by.isoformat()}, when, (s.pid,))  # fmt: skip
            w.metrics.margin_calls += 1
            w.push(s, when + timedelta(days=10), Action.CURE, loan)


def on_cure(w: World, s: Seller, rng: random.Random, when: datetime, loan: Any) -> None:
    """The cure period ends: pay down to the initial LTV, or the lender sells."""
    assert isinstance(loan, ReceiptLoan)
    loan.cure_by = None
    if loan.closed or loan.lot.receipt_id is None:
        return
    sector = w.config.sectors[s.sector]
    value = collateral_value(w, s, loan)
    if loan.outstanding * 10_000 < sector.ltv_margin_bp * value:
        return
    paydown = loan.outstanding - value * sector.ltv_init_bp // 10_000
    if s.status != "absconded" and s.cash >= paydown:
        s.cash -= paydown
        loan.outstanding -= paydown
        loan.apply(paydown)
        w.emit(s, "finance", "loan.repaid", {"loan_id": loan.loan_id, "amount": money(paydown)},
               when, (w.lender(loan.lender).pid,))  # fmt: skip
    else:
        _liquidate(w, s, loan, when)


def _liquidate(w: World, s: Seller, loan: ReceiptLoan, when: datetime) -> None:
    """Sell the collateral; any shortfall falls due at once and runs into days past due."""
    proceeds = sell_collateral(w, s, loan, when)
    applied = min(proceeds, loan.outstanding)
    s.cash += proceeds - applied
    loan.outstanding -= applied
    loan.apply(applied)
    if loan.outstanding <= 0:
        close(w, s, loan, "liquidated", when.date(), 0, applied, 0)
        return
    loan.fall_due(when.date(), loan.outstanding - loan.arrears)
