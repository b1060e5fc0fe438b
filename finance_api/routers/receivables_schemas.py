"""Shapes of the receivable-finance answers, so the OpenAPI document says what they hold."""

from __future__ import annotations

from pydantic import BaseModel, Field

from finance_api.routers.receipts_schemas import Money


class SettlementDueOut(BaseModel):
    fee: Money
    rebate: Money


class ReceivablePostingOut(BaseModel):
    seq: int
    component: str = Field(description="advanced, collected, recourse, fee, rebate, "
                           "written_off or converted")  # fmt: skip
    amount_minor: int = Field(description="signed: what the lender is owed moves by this")
    posted_on: str


class FinancingOut(BaseModel):
    financing_id: str
    document_kind: str = Field(description="invoice (factoring) or order (advance payment)")
    document_id: str
    document_key: str = Field(description="SHA-256 of the document's content: the same on "
                              "every deployment (the on-chain registry's key)")  # fmt: skip
    order_id: str
    seller: str
    debtor: str
    lender: str
    status: str = Field(description="open, settled, written_off or converted")
    recourse: bool
    face: Money
    advance_rate_bp: int
    advanced: Money
    reserve: Money
    fee_bp: int
    fee_period_days: int
    due_date: str
    financed_on: str
    collected: Money
    recourse_paid: Money
    fee: Money
    rebate: Money
    written_off: Money
    converted: Money
    loan_id: str | None
    advance_out: Money = Field(description="the part of the advance not yet back")
    balance: Money = Field(description="what the lender is owed: the sum of the postings "
                           "(zero once closed)")  # fmt: skip
    settlement_due: SettlementDueOut | None = Field(
        description="the fee and rebate a settlement must state now (once the advance is back)"
    )
    postings: list[ReceivablePostingOut] | None = None


class FinancingsOut(BaseModel):
    financings: list[FinancingOut]
