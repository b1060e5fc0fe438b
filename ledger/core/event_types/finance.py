"""Finance flow: payments, warehouse receipts and pledges, credit lines, loans, defaults.

Money is always ``{"amount_minor": int, "currency": "USD"}``: never a float. Every act on a
loan or a line is the lender's; a receipt is the warehouse's; a pledge is its holder's.
"""

from __future__ import annotations

from functools import partial

from ledger.core.event_types.claims import claim_types
from ledger.core.event_types.common import DATE, ID, MONEY, QUANTITY, obj
from ledger.core.event_types.spec import PARTICIPANT_ROLES, EventType, Schema, declare

FLOW = "finance"
_BP: Schema = {"type": "integer", "minimum": 0}
_t = partial(declare, FLOW)

TYPES: list[EventType] = [
    _t(
        "payment.made",
        obj(
            {"payment_id": ID, "amount": MONEY, "payer": ID, "payee": ID},
            {"invoice_id": ID, "days_late": {"type": "integer", "minimum": 0}},
        ),
        roles=PARTICIPANT_ROLES,
        actor="payer",
        confirm="payee",
        summary="A payer pays a payee; the payee's confirmation proves receipt.",
    ),
    _t(
        "receipt.issued",
        obj(
            {
                "receipt_id": ID,
                "warehouse_id": ID,
                "holder": ID,
                "lot_id": ID,
                "commodity": {"type": "string"},
                "quantity": QUANTITY,
                "value": MONEY,
                "document_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            },
            {"unit": {"type": "string"}},
        ),
        roles="warehouse",
        actor="warehouse_id",
        summary="A warehouse issues a receipt for goods it holds for the holder.",
    ),
    _t(
        "receipt.pledged",
        obj({"receipt_id": ID, "lender": ID}, {"loan_id": ID}),
        roles=("seller", "buyer"),
        actor="holder",
        confirm="lender",
        summary="A receipt's holder pledges it to one lender.",
    ),
    _t(
        "receipt.released",
        obj({"receipt_id": ID}),
        roles="lender",
        actor="lender",
        summary="The pledgee releases a pledged receipt.",
    ),
    _t(
        "receipt.cancelled",
        obj({"receipt_id": ID}),
        roles="warehouse",
        actor="warehouse_id",
        summary="The issuing warehouse cancels a receipt that is not pledged.",
    ),
    _t(
        "credit_line.opened",
        obj({"line_id": ID, "borrower": ID, "lender": ID, "limit": MONEY}),
        roles="lender",
        actor="lender",
        summary="A lender opens a revolving credit line for a borrower.",
    ),
    _t(
        "credit_line.drawn",
        obj({"line_id": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        summary="The lender funds a drawdown on a line.",
    ),
    _t(
        "credit_line.repaid",
        obj({"line_id": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        summary="The lender records a repayment on a line.",
    ),
    _t(
        "loan.disbursed",
        obj(
            {"loan_id": ID, "borrower": ID, "lender": ID, "principal": MONEY},
            {"due_date": DATE, "receipt_id": ID},
        ),
        roles="lender",
        actor="lender",
        confirm="borrower",
        summary="A lender disburses a loan; the borrower's confirmation proves the funds came.",
    ),
    _t(
        "loan.repaid",
        obj({"loan_id": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        summary="The lender records a repayment of a loan.",
    ),
    _t(
        "loan.margin_called",
        obj({"loan_id": ID, "ltv_bp": _BP}, {"cure_by": DATE}),
        roles="lender",
        actor="lender",
        summary="The lender calls for margin when loan-to-value crosses the call point.",
    ),
    _t(
        "loan.past_due",
        obj(
            {
                "loan_id": ID,
                "days_past_due": {"type": "integer", "minimum": 1},
                "amount": MONEY,
            }
        ),
        roles="lender",
        actor="lender",
        summary="The lender reports a loan past due.",
    ),
    _t(
        "loan.defaulted",
        obj({"loan_id": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        summary="The lender declares a loan in default.",
    ),
    _t(
        "credit.application",
        obj(
            {
                "application_id": ID,
                "applicant": ID,
                "lender": ID,
                "product": {"enum": ["credit_line", "receipt_loan"]},
                "requested": MONEY,
            }
        ),
        roles=("seller", "buyer"),
        actor="applicant",
        summary="A participant applies to a lender for credit.",
    ),
    _t(
        "credit.decision",
        obj(
            {
                "application_id": ID,
                "decision": {"enum": ["approved", "declined", "review"]},
            },
            {"limit": MONEY, "reason": {"type": "string"}},
        ),
        roles="lender",
        actor="lender",
        summary="A lender decides an application.",
    ),
    _t(
        "stock.price_changed",
        obj(
            {
                "commodity": ID,
                "unit": {"type": "string"},
                "price": MONEY,
                "change_bp": {"type": "integer"},
            }
        ),
        roles=("price_publisher", "platform"),
        summary="A price publisher sets the reference price of a commodity.",
    ),
    _t(
        "collateral.liquidated",
        obj(
            {"loan_id": ID, "receipt_id": ID, "proceeds": MONEY},
            {"quantity": QUANTITY},
        ),
        roles="lender",
        actor="lender",
        summary="The lender sells pledged collateral and applies the proceeds.",
    ),
    *claim_types(FLOW),
]
