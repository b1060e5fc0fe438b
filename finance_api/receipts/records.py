"""Typed views of the projection's rows, loaded for one act and judged by the rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select

from finance_api.domain import errors as e
from finance_api.domain.waterfall import Owed
from finance_api.receipts.tables import LoanRow, ReceiptRow

CLOSED = ("repaid", "written_off", "liquidated")


@dataclass(frozen=True, slots=True)
class Receipt:
    receipt_id: str
    warehouse_id: str
    holder: str
    lot_id: str
    commodity: str
    expires_on: str | None
    quantity_milli: int
    live_milli: int
    value_minor: int
    currency: str
    status: str
    pledged_to: str | None
    loan_id: str | None


@dataclass(frozen=True, slots=True)
class Loan:
    loan_id: str
    borrower: str
    lender: str
    currency: str
    status: str
    commodity: str | None
    owed_fees: int
    owed_interest: int
    owed_principal: int
    call_seq: int | None
    call_cure_by: str | None
    unmatched_sale_minor: int
    rate_bp: int | None

    @property
    def owed(self) -> Owed:
        return Owed(self.owed_fees, self.owed_interest, self.owed_principal)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED


_RECEIPT = [getattr(ReceiptRow, name) for name in Receipt.__slots__]
_LOAN = [getattr(LoanRow, name) for name in Loan.__slots__]
# built once: every receipt and loan act loads its row (see finance_api.receipts.stock)
_FIND_RECEIPT = select(*_RECEIPT).where(ReceiptRow.receipt_id == bindparam("id"))
_FIND_LOAN = select(*_LOAN).where(LoanRow.loan_id == bindparam("id"))


def find_receipt(connection: Connection, receipt_id: str) -> Receipt | None:
    row = connection.execute(_FIND_RECEIPT, {"id": receipt_id}).first()
    return None if row is None else Receipt(**row._mapping)


def receipt(connection: Connection, receipt_id: str, field: str) -> Receipt:
    found = find_receipt(connection, receipt_id)
    if found is None:
        raise e.UnknownReceipt(f"no receipt {receipt_id} was issued", field=field)
    return found


def find_loan(connection: Connection, loan_id: str) -> Loan | None:
    row = connection.execute(_FIND_LOAN, {"id": loan_id}).first()
    return None if row is None else Loan(**row._mapping)


def loan_of(connection: Connection, loan_id: str, lender: str, *, open_only: bool = True) -> Loan:
    """The loan, acted on by its lender; refused when unknown, another's, or closed."""
    loan = find_loan(connection, loan_id)
    if loan is None:
        raise e.UnknownLoan(f"no loan {loan_id} was disbursed", field="payload.loan_id")
    if loan.lender != lender:
        raise e.NotLender(f"loan {loan_id} is not {lender}'s", field="payload.lender")
    if open_only and loan.closed:
        raise e.LoanClosed(f"loan {loan_id} is {loan.status}", field="payload.loan_id")
    return loan
