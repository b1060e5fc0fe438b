"""The demo's receivable-finance story: an invoice factored once, and a second try refused.

A buyer orders goods from a supplier on 60-day terms; the supplier accepts and invoices;
the buyer confirms the invoice on the ledger (``claim.confirmed``). A factoring bank then
finances it: 80% advanced, 20% held in reserve, 1.5% of the face per 30 days outstanding,
with recourse, and the supplier confirms the advance came. A second bank is then offered the
same invoice and its ``receivable.financed`` is refused (``already_financed``), with nothing
written: the double financing the Qingdao frauds lived on does not get onto this ledger.
Every act is a signed event of its party, judged by the ``lending.receivables`` projection.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from ledger.core.clock import FixedClock
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

SUPPLIER, BUYER = "demo-supplier-shenzhen", "demo-buyer-rotterdam"
FACTOR, OTHER_BANK = "demo-factor-orient", "demo-bank-second"
PARTIES = {SUPPLIER: "seller", BUYER: "buyer", FACTOR: "lender", OTHER_BANK: "lender"}
ORDER, INVOICE, FINANCING = "demo-order-7001", "demo-invoice-7001", "demo-factoring-7001"
FACE = 4_800_000  # US$48,000.00
ADVANCE_BP, FEE_BP, FEE_DAYS, TERMS_DAYS = 8_000, 150, 30, 60


def _key(pid: str) -> SigningKey:
    return SigningKey(hashlib.sha256(f"threeflow demo lending: {pid}".encode()).digest())


def _usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


class _Acts:
    """Signed acts a few minutes apart, the ledger's simulated clock kept beside them."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.at = ledger.clock.now() + timedelta(hours=2)
        self.n = 0

    def event(self, actor: str, flow: str, etype: str, payload: dict[str, Any]) -> Event:
        self.at += timedelta(minutes=5)
        clock = self.ledger.clock
        if isinstance(clock, FixedClock) and clock.now() < self.at:
            clock.set(self.at)
        self.n += 1
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"threeflow/demo-lending/{self.n}"))
        return Event.create(_key(actor), flow=flow, type=etype, actor=actor, payload=payload,
                            occurred_at=self.at, event_id=uid)  # fmt: skip

    def act(self, actor: str, flow: str, etype: str, payload: dict[str, Any]) -> Event:
        event = self.event(actor, flow, etype, payload)
        self.ledger.append(event)
        return event


def _financing(lender: str, financing_id: str, due: str) -> dict[str, Any]:
    advanced = FACE * ADVANCE_BP // 10_000
    return {
        "financing_id": financing_id, "document_kind": "invoice", "document_id": INVOICE,
        "seller": SUPPLIER, "debtor": BUYER, "lender": lender, "face": _usd(FACE),
        "advance_rate_bp": ADVANCE_BP, "advanced": _usd(advanced),
        "reserve": _usd(FACE - advanced), "fee_bp": FEE_BP, "fee_period_days": FEE_DAYS,
        "recourse": True, "due_date": due,
    }  # fmt: skip


def factoring(ledger: Ledger) -> list[tuple[str, str]]:
    """Tell the factoring story; return the rows the demo prints (what, value)."""
    start = ledger.clock.now()
    for pid, role in PARTIES.items():
        country = "NL" if pid == BUYER else "CN"
        ledger.register_participant(
            pid, pid, [role], country, _key(pid).public_key, start - timedelta(days=1)
        )
    acts = _Acts(ledger)
    due = (start + timedelta(days=TERMS_DAYS)).date().isoformat()
    acts.act(BUYER, "information", "order.placed", {
        "order_id": ORDER, "seller": SUPPLIER, "buyer": BUYER, "total": _usd(FACE),
        "terms_days": TERMS_DAYS})  # fmt: skip
    acts.act(SUPPLIER, "information", "order.accepted", {"order_id": ORDER, "seller": SUPPLIER})
    invoice = acts.act(SUPPLIER, "information", "invoice.issued", {
        "invoice_id": INVOICE, "order_id": ORDER, "amount": _usd(FACE), "due_date": due,
        "seller": SUPPLIER, "buyer": BUYER})  # fmt: skip
    acts.act(BUYER, "information", "claim.confirmed", {"claim_id": invoice.id, "party": BUYER})
    financed = acts.act(FACTOR, "finance", "receivable.financed",
                        _financing(FACTOR, FINANCING, due))  # fmt: skip
    acts.act(SUPPLIER, "finance", "claim.confirmed", {"claim_id": financed.id, "party": SUPPLIER})
    size = ledger.size()
    second = acts.event(OTHER_BANK, "finance", "receivable.financed",
                        _financing(OTHER_BANK, "demo-factoring-7001-again", due))  # fmt: skip
    try:
        ledger.append(second)
        refused = "accepted (it should not have been)"
    except LedgerError as exc:
        refused = f"refused: {exc.code} ({exc.field}), nothing written"
    if ledger.size() != size:
        raise LedgerError("the demo's second financing of one invoice was written")
    advanced = FACE * ADVANCE_BP // 10_000
    return [
        ("factored invoice", f"{INVOICE}: {SUPPLIER} -> {BUYER}, face US${FACE / 100:,.2f}, "
                             f"{FACTOR} advanced US${advanced / 100:,.2f} "
                             f"(reserve {100 - ADVANCE_BP // 100}%, {FEE_BP / 100:.1f}% per "
                             f"{FEE_DAYS} days, with recourse): GET /v1/receivables/{FINANCING}"),
        ("same invoice, second bank", f"{OTHER_BANK}: {refused}"),
    ]  # fmt: skip
