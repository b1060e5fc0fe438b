"""Receivable finance (in the finance flow): factoring of a confirmed invoice, and advance
payment against an accepted order.

Every act is the financing lender's. ``receivable.financed`` names the document (an invoice
its buyer confirmed, or an order its seller accepted), the client (``seller``) and the
``debtor`` (the buyer), the face amount, what the lender advances and holds in reserve, the
fee by days outstanding, recourse, and the due date; the seller's confirmation proves the
advance came. The lender then records what the debtor paid (``receivable.collected``), what
the seller paid back under recourse (``receivable.recourse``), and closes the financing:
settled (the reserve rebated less the fee), written off (non-recourse loss), or, for an
advance payment whose goods landed in a warehouse, converted into a receipt loan.
"""

from __future__ import annotations

from functools import partial

from ledger.core.event_types.common import DATE, ID, MONEY, obj
from ledger.core.event_types.spec import EventType, Schema, declare

FLOW = "finance"
_t = partial(declare, FLOW)

DOCUMENT_KINDS = ("invoice", "order")
_BP: Schema = {"type": "integer", "minimum": 0, "maximum": 10_000}
_FEE_BP: Schema = {"type": "integer", "minimum": 0, "maximum": 10_000}
_PERIOD: Schema = {"type": "integer", "minimum": 1, "maximum": 366}

TYPES: list[EventType] = [
    _t(
        "receivable.financed",
        obj(
            {
                "financing_id": ID,
                "document_kind": {"enum": list(DOCUMENT_KINDS)},
                "document_id": ID,
                "seller": ID,
                "debtor": ID,
                "lender": ID,
                "face": MONEY,
                "advance_rate_bp": _BP,
                "advanced": MONEY,
                "reserve": MONEY,
                "fee_bp": _FEE_BP,
                "fee_period_days": _PERIOD,
                "recourse": {"type": "boolean"},
                "due_date": DATE,
            }
        ),
        roles="lender",
        actor="lender",
        confirm="seller",
        summary="A lender finances an invoice its buyer confirmed (factoring) or an order its "
        "seller accepted (advance payment): it advances at most advance_rate_bp of the face "
        "and holds the rest in reserve until the debtor pays; the fee is fee_bp of the face "
        "per fee_period_days outstanding. A document is financed once, by one lender.",
    ),
    _t(
        "receivable.collected",
        obj({"financing_id": ID, "lender": ID, "amount": MONEY}, {"payment_id": ID}),
        roles="lender",
        actor="lender",
        summary="The lender records what the debtor paid on a financed document (never more "
        "than the face still unpaid).",
    ),
    _t(
        "receivable.recourse",
        obj({"financing_id": ID, "lender": ID, "amount": MONEY}, {"payment_id": ID}),
        roles="lender",
        actor="lender",
        summary="Past its due date and unpaid, a financing with recourse is bought back by the "
        "seller: the lender records what the seller paid (at most the advance still out plus "
        "the fee to date).",
    ),
    _t(
        "receivable.settled",
        obj({"financing_id": ID, "lender": ID, "seller": ID, "fee": MONEY, "rebate": MONEY}),
        roles="lender",
        actor="lender",
        confirm="seller",
        summary="The lender closes a financing whose advance came back: it keeps the fee by "
        "days outstanding (to the last payment in, capped by what came in beyond the advance) "
        "and rebates the rest to the seller. Any other fee or rebate is refused.",
    ),
    _t(
        "receivable.written_off",
        obj({"financing_id": ID, "lender": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        summary="The lender writes off the advance it will not recover (exactly what is still "
        "out), closing the financing; without recourse only once past due.",
    ),
    _t(
        "receivable.converted",
        obj({"financing_id": ID, "lender": ID, "loan_id": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        summary="The goods of an advance payment landed in a warehouse: the lender's receipt "
        "loan (loan_id, to the same seller) refinances what is still out of the advance plus "
        "the fee to date (amount), and the advance closes.",
    ),
]
