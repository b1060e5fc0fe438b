"""Warehouse receipts as documents: issued, pledged, split, released, cancelled, and the
sale of pledged goods.

One receipt per pledged quantity of a lot, as an electronic receipt registry keeps it: a
partial release splits the receipt (the lender releases it, the warehouse cancels it and
issues a new one for what stays pledged, which the holder pledges again), and after a sale
the lender releases the receipt and the warehouse cancels it, so no sold goods still look
pledged. Values use the finance domain's collateral rule.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta

from finance_api.domain.collateral import collateral_value
from simulations import confirmations
from simulations.agents import Seller
from simulations.emitter import money
from simulations.facilities import Lot, ReceiptLoan
from simulations.world import World


def value(w: World, s: Seller, lot: Lot, quantity: int | None = None) -> int:
    """Collateral value at today's reference price (never above the receipt's unit value)."""
    qty = lot.pledged if quantity is None else quantity
    unit = w.unit_price(s)
    return collateral_value(qty * 1000, unit, lot.unit_value or unit,
                            w.policies[s.sector].haircut_bp)  # fmt: skip


def issue(
    w: World, s: Seller, lot: Lot, quantity: int, when: datetime, replaces: str | None = None
) -> str:
    """The warehouse issues a receipt for ``quantity`` of the lot; the goods are encumbered."""
    assert s.warehouse is not None
    sector = w.config.sectors[s.sector]
    warehouse = w.pop.warehouses[s.warehouse]
    receipt_id = s.next_id("wr")
    lot.receipt_id, lot.pledged = receipt_id, quantity
    lot.unit_value = lot.unit_value or w.unit_price(s)
    digest = hashlib.sha256(f"{receipt_id}|{lot.lot_id}|{quantity}".encode()).hexdigest()
    payload = {"receipt_id": receipt_id, "warehouse_id": warehouse.pid, "holder": s.pid,
               "lot_id": lot.lot_id, "commodity": sector.commodity, "quantity": quantity,
               "value": money(quantity * lot.unit_value), "document_hash": digest,
               "unit": sector.unit}  # fmt: skip
    if replaces:
        payload["replaces"] = replaces
    w.emit(warehouse, "finance", "receipt.issued", payload, when, (s.pid,))
    return receipt_id


def pledge(
    w: World, s: Seller, rng: random.Random, loan_id: str, lender_index: int, lot: Lot,
    when: datetime,
) -> None:  # fmt: skip
    """The holder pledges the lot's receipt to the lender, who confirms the lien."""
    lender = w.lender(lender_index)
    assert lot.receipt_id is not None
    claim = w.emit(s, "finance", "receipt.pledged",
                   {"receipt_id": lot.receipt_id, "holder": s.pid, "lender": lender.pid,
                    "loan_id": loan_id}, when, (lender.pid,))  # fmt: skip
    confirmations.by_institution(w, s, rng, (claim, "finance", s.pid, when), lender)


def cancel(w: World, s: Seller, receipt_id: str, reason: str, when: datetime,
           replaced_by: str | None = None) -> None:  # fmt: skip
    assert s.warehouse is not None
    warehouse = w.pop.warehouses[s.warehouse]
    payload = {"receipt_id": receipt_id, "warehouse_id": warehouse.pid, "reason": reason}
    if replaced_by:
        payload["replaced_by"] = replaced_by
    w.emit(warehouse, "finance", "receipt.cancelled", payload, when, (s.pid,))


def _released(w: World, s: Seller, loan: ReceiptLoan, reason: str, when: datetime) -> None:
    lender = w.lender(loan.lender)
    assert loan.lot.receipt_id is not None
    w.emit(lender, "finance", "receipt.released",
           {"receipt_id": loan.lot.receipt_id, "lender": lender.pid, "loan_id": loan.loan_id,
            "reason": reason}, when, (s.pid,))  # fmt: skip


def release(w: World, s: Seller, loan: ReceiptLoan, before: int, when: datetime) -> None:
    """Release goods in proportion to the balance repaid: the receipt is split."""
    lot = loan.lot
    old = lot.receipt_id
    if old is None or before <= 0:
        return
    keep = 0 if loan.outstanding <= 0 else lot.pledged * loan.outstanding // before
    if keep == lot.pledged:
        return
    _released(w, s, loan, "partial_release" if keep > 0 else "repaid", when + timedelta(hours=1))
    lot.receipt_id, lot.pledged = None, 0
    if keep <= 0:
        cancel(w, s, old, "goods_withdrawn", when + timedelta(hours=2))
        return
    new = issue(w, s, lot, keep, when + timedelta(hours=2, minutes=30), replaces=old)
    cancel(w, s, old, "split", when + timedelta(hours=2), replaced_by=new)
    rng = random.Random(f"{new}/split")
    pledge(w, s, rng, loan.loan_id, loan.lender, lot, when + timedelta(hours=3))


def sell_collateral(w: World, s: Seller, loan: ReceiptLoan, when: datetime) -> int:
    """The lender sells the pledged goods at a discount; release and cancel the receipt."""
    lot = loan.lot
    receipt_id = lot.receipt_id
    assert receipt_id is not None
    proceeds = round(value(w, s, lot) * (1 - w.config.credit.liquidation_discount))
    lender = w.lender(loan.lender)
    w.emit(lender, "finance", "collateral.liquidated",
           {"loan_id": loan.loan_id, "lender": lender.pid, "receipt_id": receipt_id,
            "proceeds": money(proceeds), "quantity": lot.pledged}, when, (s.pid,))  # fmt: skip
    _released(w, s, loan, "liquidation", when + timedelta(minutes=30))
    cancel(w, s, receipt_id, "liquidated", when + timedelta(hours=2))
    w.metrics.liquidations += 1
    lot.quantity -= lot.pledged
    lot.pledged, lot.receipt_id = 0, None
    s.lots = [kept for kept in s.lots if kept.quantity > 0]
    return proceeds
