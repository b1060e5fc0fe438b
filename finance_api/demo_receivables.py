"""The demo's factoring story, told on the ledger after the warehouse-finance one.

An exporter sells to a retailer on 60-day terms; the retailer confirms the invoice, and a
factor advances 85% of it. A second factor then tries to finance the same invoice and is
refused (``already_financed``): the double financing the ledger exists to stop. The
retailer pays after 45 days; the factor records it and settles: it keeps its fee by days
outstanding and rebates the rest of the reserve to the exporter. A second order gets an
advance payment from the other factor, left open so that it shows in that factor's
exposure. Every step is a signed event of the party that acts, judged by the
``lending.receivables`` projection.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from finance_api.lending.receivable_projector import read_financings
from finance_api.lending.rules.receivables import settlement
from ledger.core.clock import FixedClock
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

EXPORTER, RETAILER = "demo-exporter-ningbo", "demo-retailer-lyon"
FACTOR, OTHER = "demo-factor-east", "demo-factor-west"
PARTIES = {EXPORTER: "seller", RETAILER: "buyer", FACTOR: "lender", OTHER: "lender"}
FACE = 5_000_000  # 50,000.00 USD


def _key(pid: str) -> SigningKey:
    return SigningKey(hashlib.sha256(f"threeflow demo receivables: {pid}".encode()).digest())


def _usd(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


class _Story:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.at = ledger.clock.now() + timedelta(hours=1)
        self.n = 0

    def event(self, actor: str, flow: str, etype: str, payload: dict[str, Any],
              later: timedelta = timedelta(minutes=5)) -> Event:  # fmt: skip
        self.at += later
        clock = self.ledger.clock
        if isinstance(clock, FixedClock) and clock.now() < self.at:
            clock.set(self.at)
        self.n += 1
        uid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"threeflow/demo-receivables/{self.n}"))
        return Event.create(_key(actor), flow=flow, type=etype, actor=actor, payload=payload,
                            occurred_at=self.at, event_id=uid)  # fmt: skip

    def act(self, actor: str, flow: str, etype: str, payload: dict[str, Any],
            later: timedelta = timedelta(minutes=5)) -> Event:  # fmt: skip
        event = self.event(actor, flow, etype, payload, later)
        self.ledger.append(event)
        return event


def _financing(
    fid: str, kind: str, doc: str, lender: str, rate_bp: int, due: str
) -> dict[str, Any]:
    advanced = FACE * rate_bp // 10_000
    return {"financing_id": fid, "document_kind": kind, "document_id": doc, "seller": EXPORTER,
            "debtor": RETAILER, "lender": lender, "face": _usd(FACE), "advance_rate_bp": rate_bp,
            "advanced": _usd(advanced), "reserve": _usd(FACE - advanced), "fee_bp": 150,
            "fee_period_days": 30, "recourse": True, "due_date": due}  # fmt: skip


def run(ledger: Ledger) -> list[tuple[str, str]]:
    """Tell the story; return the rows the demo prints (what, value)."""
    start = ledger.clock.now()
    for pid, role in PARTIES.items():
        ledger.register_participant(pid, pid, [role], "FR" if pid == RETAILER else "CN",
                                    _key(pid).public_key, start - timedelta(days=1))  # fmt: skip
    story = _Story(ledger)
    due = (start + timedelta(days=61)).date().isoformat()
    for order in ("demo-po-1", "demo-po-2"):
        story.act(
            RETAILER,
            "information",
            "order.placed",
            {
                "order_id": order,
                "seller": EXPORTER,
                "buyer": RETAILER,
                "total": _usd(FACE),
                "terms_days": 60,
            },
        )
        story.act(EXPORTER, "information", "order.accepted", {"order_id": order,
                  "seller": EXPORTER})  # fmt: skip
    invoice = story.act(EXPORTER, "information", "invoice.issued", {
        "invoice_id": "demo-inv-1", "order_id": "demo-po-1", "amount": _usd(FACE),
        "due_date": due, "seller": EXPORTER, "buyer": RETAILER})  # fmt: skip
    story.act(RETAILER, "information", "claim.confirmed", {"claim_id": invoice.id,
              "party": RETAILER})  # fmt: skip
    story.act(
        FACTOR,
        "finance",
        "receivable.financed",
        _financing("demo-fin-1", "invoice", "demo-inv-1", FACTOR, 8500, due),
    )
    twice = story.event(
        OTHER,
        "finance",
        "receivable.financed",
        _financing("demo-fin-2", "invoice", "demo-inv-1", OTHER, 9000, due),
    )
    try:
        ledger.append(twice)
        refused = "accepted (unexpected)"
    except LedgerError as exc:
        refused = f"{exc.status} {exc.code} on {exc.field}"
    story.act(
        OTHER,
        "finance",
        "receivable.financed",
        _financing("demo-adv-1", "order", "demo-po-2", OTHER, 4000, due),
    )
    story.act(FACTOR, "finance", "receivable.collected", {"financing_id": "demo-fin-1",
              "lender": FACTOR, "amount": _usd(FACE)}, later=timedelta(days=45))  # fmt: skip
    with ledger.reading() as connection:
        (fin,) = read_financings(connection, financing_id="demo-fin-1")
    fee, rebate = settlement(fin)
    story.act(
        FACTOR,
        "finance",
        "receivable.settled",
        {
            "financing_id": "demo-fin-1",
            "lender": FACTOR,
            "seller": EXPORTER,
            "fee": _usd(fee),
            "rebate": _usd(rebate),
        },
    )
    return [
        ("factored invoice", f"demo-inv-1 by {FACTOR}: advanced {fin.advanced / 100:,.2f}, "
         f"paid after 45 days, fee {fee / 100:,.2f}, rebate {rebate / 100:,.2f} "
         "(GET /v1/receivables/demo-fin-1)"),
        ("double financing", f"{OTHER} on demo-inv-1: refused {refused}"),
        ("advance payment", f"demo-po-2 by {OTHER}: 40% advanced, open (its exposure)"),
    ]  # fmt: skip
