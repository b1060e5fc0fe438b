"""Shapes of the warehouse-finance answers, so the OpenAPI document says what they hold."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Money(BaseModel):
    amount_minor: int = Field(description="integer minor units (cents)")
    currency: str = Field(description="ISO 4217")


class WarehouseReceiptOut(BaseModel):
    receipt_id: str
    warehouse_id: str
    holder: str
    lot_id: str
    commodity: str
    unit: str | None
    grade: str | None
    insurance_ref: str | None
    expires_on: str | None
    document_hash: str
    quantity: float
    live_quantity: float = Field(description="what it still covers (after splits)")
    value: Money
    status: str = Field(description="live, liquidated or cancelled")
    replaces: str | None
    pledged_to: str | None = Field(description="the lender it is pledged to, if any")
    loan_id: str | None
    issued_seq: int


class WarehouseReceiptsOut(BaseModel):
    receipts: list[WarehouseReceiptOut]


class StockLotOut(BaseModel):
    lot_id: str
    owner: str
    sku: str
    unit: str | None
    held: float
    received: float
    out: float = Field(description="lost, released or sold")
    covered_by_receipts: float
    last_count: float | None


class StockOut(BaseModel):
    warehouse_id: str
    lots: list[StockLotOut]


class AlertOut(BaseModel):
    seq: int
    kind: str = Field(
        description="count_below_receipts, count_differs_from_book, stock_below_receipts"
    )
    warehouse_id: str
    lot_id: str | None
    held: float
    covered_by_receipts: float
    counted: float | None


class AlertsOut(BaseModel):
    alerts: list[AlertOut]


class Owed(BaseModel):
    fees: Money
    interest: Money
    principal: Money


class MarginCallOut(BaseModel):
    seq: int
    ltv_bp: int
    cure_by: str
    amount_due: Money


class PostingOut(BaseModel):
    seq: int
    kind: str
    amount_minor: int
    fees: int = Field(description="signed change of the fees owed")
    interest: int
    principal: int
    surplus: int = Field(description="what went to the borrower (liquidation surplus)")


class LoanOut(BaseModel):
    loan_id: str
    borrower: str
    lender: str
    status: str
    principal: Money
    owed: Owed
    balance: Money = Field(description="fees + interest + principal owed: the sum of the postings")
    collateral_value: Money | None
    ltv_bp: int | None
    ltv_state: str | None = Field(description="healthy, margin_call, liquidation or unsecured")
    margin_call: MarginCallOut | None
    receipts: list[str]
    surplus_to_borrower: Money
    rate_bp: int | None
    daily_interest_act365: Money
    postings: list[PostingOut] | None = None


class LoansOut(BaseModel):
    loans: list[LoanOut]


class PolicyOut(BaseModel):
    advance_bp: int
    margin_call_bp: int
    liquidation_bp: int
    haircut_bp: int
    cure_business_days: int


class PoliciesOut(BaseModel):
    classes: dict[str, PolicyOut]
    commodity_class: dict[str, str]
