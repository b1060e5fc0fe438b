"""Finance flow: payments, warehouse receipts and pledges, credit lines, loans, defaults.

Money is always ``{"amount_minor": int, "currency": "USD"}``: never a float. Every act on a
loan or a line is the lender's; a receipt is the warehouse's; a pledge is its holder's. A
borrower's repayment is two acts: the borrower's ``payment.made`` (confirmed by the lender
as payee), then the lender's ``loan.repaid`` or ``credit_line.repaid`` applying it. Acts
that exist for both kinds of facility (interest, fees, statements, past due, default,
recovery, write-off) are declared once for each, so a credit-line event always names a
``line_id`` and a loan event a ``loan_id``: a label read from the ledger never confuses them.
"""

from __future__ import annotations

from functools import partial

from ledger.core.event_types import credit, receivables
from ledger.core.event_types.claims import claim_types
from ledger.core.event_types.common import DATE, ID, MONEY, QUANTITY, obj
from ledger.core.event_types.spec import PARTICIPANT_ROLES, EventType, Schema, declare

FLOW = "finance"
_BP: Schema = {"type": "integer", "minimum": 0}
_DPD: Schema = {"type": "integer", "minimum": 1}
_t = partial(declare, FLOW)

_FEE: Schema = {"enum": ["origination", "late_payment", "commitment"]}
_RECOVERY_SOURCE: Schema = {"enum": ["collateral_sale", "borrower", "insolvency_estate"]}
_DEFAULT_REASON: Schema = {"enum": ["days_past_due", "insolvency", "unlikely_to_pay"]}
_STATEMENT: dict[str, Schema] = {
    "statement_date": DATE,
    "opening_balance": MONEY,
    "interest": MONEY,
    "fees": MONEY,
    "payments": MONEY,
    "closing_balance": MONEY,
    "amount_due": MONEY,
    "due_date": DATE,
}
_INSTALMENTS: Schema = {
    "type": "array",
    "minItems": 1,
    "items": obj({"due_date": DATE, "principal": MONEY}),
}


def _facility_acts(kind: str, key: str, noun: str) -> list[EventType]:
    """The acts a lender records on either kind of facility, keyed by ``key``."""

    def act(name: str, required: dict[str, Schema], optional: dict[str, Schema] | None,
            summary: str) -> EventType:  # fmt: skip
        return _t(f"{kind}.{name}", obj({key: ID, **required}, optional), roles="lender",
                  actor="lender", summary=summary)  # fmt: skip

    return [
        act("interest_posted", {"amount": MONEY}, {"rate_bp": _BP, "period_end": DATE},
            f"The lender charges the interest accrued on the {noun} up to period_end (else the "
            "day before): daily, ACT/365, on principal at its annual rate_bp, rounded half "
            "up with the remainder carried; any other amount is refused."),
        act("fee_posted", {"amount": MONEY, "fee": _FEE}, None,
            f"The lender charges a fee to the {noun}."),
        act("statement_issued", _STATEMENT, {"limit": MONEY, "days_past_due": {"type": "integer",
            "minimum": 0}}, f"The lender's monthly statement of the {noun}: balances, amount "
            "due and due date."),
        act("past_due", {"days_past_due": _DPD, "amount": MONEY}, None,
            f"The lender reports the {noun} past due (days since the oldest unpaid amount)."),
        act("defaulted", {"amount": MONEY}, {"reason": _DEFAULT_REASON, "days_past_due": _DPD},
            f"The lender declares the {noun} in default; amount is the exposure at default."),
        act("recovery_posted", {"amount": MONEY, "source": _RECOVERY_SOURCE}, None,
            f"The lender recovers part of a defaulted {noun}."),
        act("written_off", {"amount": MONEY}, None,
            f"The lender writes off what it does not expect to recover of a defaulted {noun}."),
    ]  # fmt: skip


TYPES: list[EventType] = [
    _t(
        "payment.made",
        obj(
            {"payment_id": ID, "amount": MONEY, "payer": ID, "payee": ID},
            {
                "invoice_id": ID,
                "days_late": {"type": "integer", "minimum": 0},
                "loan_id": ID,
                "line_id": ID,
                "purpose": {"enum": ["invoice", "refund", "repayment", "recovery"]},
            },
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
            {
                "unit": {"type": "string"},
                "replaces": ID,
                "grade": ID,
                "insurance_ref": ID,
                "expires_on": DATE,
            },
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
        obj(
            {"receipt_id": ID},
            {"loan_id": ID, "reason": {"enum": ["repaid", "partial_release", "liquidation"]}},
        ),
        roles="lender",
        actor="lender",
        summary="The pledgee releases a pledged receipt (repaid, split, or after a sale).",
    ),
    _t(
        "receipt.cancelled",
        obj(
            {"receipt_id": ID},
            {"reason": {"enum": ["split", "goods_withdrawn", "liquidated"]}, "replaced_by": ID},
        ),
        roles="warehouse",
        actor="warehouse_id",
        summary="The issuing warehouse cancels a receipt that is not pledged.",
    ),
    _t(
        "credit_line.opened",
        obj(
            {"line_id": ID, "borrower": ID, "lender": ID, "limit": MONEY},
            {
                "application_id": ID,
                "expires_on": DATE,
                "rate_bp": _BP,
                "instalments": {"type": "integer", "minimum": 1},
            },
        ),
        roles="lender",
        actor="lender",
        summary="A lender opens a revolving credit line for a borrower (after an application).",
    ),
    _t(
        "credit_line.drawn",
        obj({"line_id": ID, "amount": MONEY}),
        roles="lender",
        actor="lender",
        confirm="borrower",
        summary="The lender funds a drawdown; the borrower's confirmation proves the funds came.",
    ),
    _t(
        "credit_line.repaid",
        obj({"line_id": ID, "amount": MONEY}, {"payment_id": ID}),
        roles="lender",
        actor="lender",
        summary="The lender applies a borrower's payment to a line.",
    ),
    _t(
        "credit_line.frozen",
        obj(
            {
                "line_id": ID,
                "reason": {"enum": ["past_due", "insolvency", "review", "covenant_breach"]},
            }
        ),
        roles="lender",
        actor="lender",
        summary="The lender stops drawdowns on a line.",
    ),
    _t(
        "credit_line.unfrozen",
        obj({"line_id": ID}),
        roles="lender",
        actor="lender",
        summary="The lender allows drawdowns on a frozen line again.",
    ),
    _t(
        "credit_line.closure_requested",
        obj({"line_id": ID, "lender": ID}),
        roles=("seller", "buyer"),
        actor="borrower",
        summary="The borrower asks to close its line: nothing more can be drawn; the lender "
        "closes it once nothing is owed.",
    ),
    _t(
        "credit_line.closed",
        obj(
            {
                "line_id": ID,
                "reason": {
                    "enum": ["expired", "repaid_after_expiry", "written_off", "borrower_insolvent"]
                },
            }
        ),
        roles="lender",
        actor="lender",
        summary="The lender closes a line: nothing more can be drawn and nothing is owed on it.",
    ),
    *_facility_acts("credit_line", "line_id", "line"),
    _t(
        "loan.disbursed",
        obj(
            {"loan_id": ID, "borrower": ID, "lender": ID, "principal": MONEY},
            {"due_date": DATE, "receipt_id": ID, "application_id": ID, "rate_bp": _BP},
        ),
        roles="lender",
        actor="lender",
        confirm="borrower",
        summary="A lender disburses a loan; the borrower's confirmation proves the funds came.",
    ),
    _t(
        "loan.schedule_issued",
        obj({"loan_id": ID, "instalments": _INSTALMENTS}),
        roles="lender",
        actor="lender",
        summary="The lender's instalment schedule of a loan: principal due on each date.",
    ),
    _t(
        "loan.repaid",
        obj({"loan_id": ID, "amount": MONEY}, {"payment_id": ID}),
        roles="lender",
        actor="lender",
        summary="The lender applies a borrower's payment to a loan.",
    ),
    _t(
        "loan.margin_called",
        obj({"loan_id": ID, "ltv_bp": _BP}, {"cure_by": DATE, "amount_due": MONEY}),
        roles="lender",
        actor="lender",
        summary="The lender calls for margin when loan-to-value crosses the call point.",
    ),
    _t(
        "loan.margin_cured",
        obj({"loan_id": ID, "ltv_bp": _BP}, {"payment_id": ID}),
        roles="lender",
        actor="lender",
        summary="A margin call is met: loan-to-value is back at or below the advance rate.",
    ),
    *_facility_acts("loan", "loan_id", "loan"),
    *credit.TYPES,
    *receivables.TYPES,
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
