"""Signed events for the receivables tests: orders, invoices and their confirmation, and
the lender's financing acts."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from ledger.core.events import Event
from tests.ledger.scenario import BUYER, LENDER, SELLER
from tests.lending.lending_events import AT, event, usd

_n = itertools.count()
DUE = (AT + timedelta(days=60)).date()


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_n)}-{datetime.now().timestamp():.6f}"


def accepted_order(order_id: str, total: int, *, at: datetime = AT, accept: bool = True,
                   seller: str = SELLER, buyer: str = BUYER) -> list[Event]:  # fmt: skip
    placed = event(buyer, "order.placed", {"order_id": order_id, "seller": seller,
                   "buyer": buyer, "total": usd(total), "terms_days": 60},
                   at=at - timedelta(days=2), flow="information")  # fmt: skip
    if not accept:
        return [placed]
    return [placed, event(seller, "order.accepted", {"order_id": order_id, "seller": seller},
                          at=at - timedelta(days=2), flow="information")]  # fmt: skip


def confirmed_invoice(invoice_id: str, order_id: str, amount: int, *, due: date = DUE,
                      at: datetime = AT, confirm: str | None = "claim.confirmed",
                      seller: str = SELLER, buyer: str = BUYER) -> list[Event]:  # fmt: skip
    issued = event(seller, "invoice.issued", {"invoice_id": invoice_id, "order_id": order_id,
                   "amount": usd(amount), "due_date": due.isoformat(), "seller": seller,
                   "buyer": buyer}, at=at - timedelta(days=1), flow="information")  # fmt: skip
    if confirm is None:
        return [issued]
    answer = event(buyer, confirm, {"claim_id": issued.id, "party": buyer},
                   at=at - timedelta(days=1), flow="information")  # fmt: skip
    return [issued, answer]


def invoice_world(face: int = 100_000, *, due: date = DUE) -> tuple[str, str, list[Event]]:
    """A fresh accepted order and its confirmed invoice: (order id, invoice id, events)."""
    order_id, invoice_id = fresh("order"), fresh("inv")
    events = [*accepted_order(order_id, face),
              *confirmed_invoice(invoice_id, order_id, face, due=due)]  # fmt: skip
    return order_id, invoice_id, events


def financing(financing_id: str, kind: str, document_id: str, amount: int, *,
              rate_bp: int = 8000, advanced: int | None = None, lender: str = LENDER,
              fee_bp: int = 150, period: int = 30, recourse: bool = True, due: date = DUE,
              at: datetime = AT, **overrides: Any) -> Event:  # fmt: skip
    face = amount
    paid = face * rate_bp // 10_000 if advanced is None else advanced
    payload: dict[str, Any] = {
        "financing_id": financing_id, "document_kind": kind, "document_id": document_id,
        "seller": SELLER, "debtor": BUYER, "lender": lender, "face": usd(face),
        "advance_rate_bp": rate_bp, "advanced": usd(paid), "reserve": usd(face - paid),
        "fee_bp": fee_bp, "fee_period_days": period, "recourse": recourse,
        "due_date": due.isoformat(),
    }  # fmt: skip
    payload.update(overrides)
    return event(lender, "receivable.financed", payload, at=at)


def act(financing_id: str, name: str, *, lender: str = LENDER, at: datetime = AT,
        **extra: Any) -> Event:  # fmt: skip
    payload: dict[str, Any] = {"financing_id": financing_id, "lender": lender}
    for key, value in extra.items():
        payload[key] = usd(value) if isinstance(value, int) else value
    if name == "settled":
        payload.setdefault("seller", SELLER)
    return event(lender, f"receivable.{name}", payload, at=at)
