"""Finance flow: payments, warehouse receipts and pledges, credit lines, loans, defaults.

Money is always ``{"amount_minor": int, "currency": "USD"}``: never a float.
"""

from __future__ import annotations

from ledger.core.event_types.common import DATE, ID, MONEY, QUANTITY, Schema, obj

_BP: Schema = {"type": "integer", "minimum": 0}

TYPES: dict[str, Schema] = {
    "payment.made": obj(
        {"payment_id": ID, "amount": MONEY, "payer": ID, "payee": ID},
        {"invoice_id": ID, "days_late": {"type": "integer", "minimum": 0}},
    ),
    "receipt.issued": obj(
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
    "receipt.pledged": obj({"receipt_id": ID, "lender": ID}, {"loan_id": ID}),
    "receipt.released": obj({"receipt_id": ID}),
    "receipt.cancelled": obj({"receipt_id": ID}),
    "credit_line.opened": obj({"line_id": ID, "borrower": ID, "lender": ID, "limit": MONEY}),
    "credit_line.drawn": obj({"line_id": ID, "amount": MONEY}),
    "credit_line.repaid": obj({"line_id": ID, "amount": MONEY}),
    "loan.disbursed": obj(
        {"loan_id": ID, "borrower": ID, "lender": ID, "principal": MONEY},
        {"due_date": DATE, "receipt_id": ID},
    ),
    "loan.repaid": obj({"loan_id": ID, "amount": MONEY}),
    "loan.margin_called": obj({"loan_id": ID, "ltv_bp": _BP}, {"cure_by": DATE}),
    "loan.past_due": obj(
        {"loan_id": ID, "days_past_due": {"type": "integer", "minimum": 1}, "amount": MONEY}
    ),
    "loan.defaulted": obj({"loan_id": ID, "amount": MONEY}),
    # Added for the simulations: applications, decisions, reference prices, liquidations.
    "credit.application": obj(
        {
            "application_id": ID,
            "applicant": ID,
            "lender": ID,
            "product": {"enum": ["credit_line", "receipt_loan"]},
            "requested": MONEY,
        }
    ),
    "credit.decision": obj(
        {"application_id": ID, "decision": {"enum": ["approved", "declined", "review"]}},
        {"limit": MONEY, "reason": {"type": "string"}},
    ),
    "stock.price_changed": obj(
        {
            "commodity": ID,
            "unit": {"type": "string"},
            "price": MONEY,
            "change_bp": {"type": "integer"},
        }
    ),
    "collateral.liquidated": obj(
        {"loan_id": ID, "receipt_id": ID, "proceeds": MONEY},
        {"quantity": QUANTITY},
    ),
}
