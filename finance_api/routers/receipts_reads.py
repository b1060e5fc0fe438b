"""Reading warehouse finance: receipts, stock and alerts, loans with LTV, the policy book.

Warehouses read their stock and alerts, holders and pledgees their receipts, borrowers and
lenders their loans (a lender's portfolio: every loan with its collateral value, LTV and
margin call), auditors everything. Nothing here writes; reads run off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from finance_api.deps import CallerDep, LedgerDep
from finance_api.domain.policies import BOOK
from finance_api.receipts import reads
from finance_api.routers.participants import ID_PATTERN
from finance_api.routers.receipts_schemas import (
    AlertsOut,
    LoanOut,
    LoansOut,
    PoliciesOut,
    StockOut,
    WarehouseReceiptOut,
    WarehouseReceiptsOut,
)
from finance_api.schemas import errors
from ledger.core.errors import NotFound
from ledger.log import Ledger

router = APIRouter(prefix="/v1", tags=["receipts"])
Id = Annotated[str, Path(pattern=ID_PATTERN, max_length=200)]
After = Annotated[str | None, Query(pattern=ID_PATTERN, max_length=200, description="cursor")]
Limit = Annotated[int, Query(ge=1, le=500)]
STATES = "^(healthy|margin_call|liquidation|unsecured)$"


def _read(ledger: Ledger, fn: Callable[..., Any], *args: Any) -> Any:
    with ledger.reading() as connection:
        return fn(connection, *args)


@router.get(
    "/receipts",
    summary="Receipts you hold, issued or are pledged (auditors: all)",
    response_model=WarehouseReceiptsOut,
    responses=errors(401, 422, 429),
)
async def list_receipts(
    ledger: LedgerDep, caller: CallerDep, after: After = None, limit: Limit = 100
) -> dict[str, Any]:
    found = await run_in_threadpool(_read, ledger, reads.receipts, caller, limit, after)
    return {"receipts": found}


@router.get(
    "/receipts/{receipt_id}",
    summary="One receipt: live quantity, pledge, loan",
    response_model=WarehouseReceiptOut,
    responses=errors(401, 404, 422, 429),
)
async def get_receipt(receipt_id: Id, ledger: LedgerDep, caller: CallerDep) -> dict[str, Any]:
    found = await run_in_threadpool(_read, ledger, reads.receipt, caller, receipt_id)
    if found is None:
        raise NotFound(f"no receipt {receipt_id}", field="receipt_id")
    return dict(found)


@router.get(
    "/warehouses/{warehouse_id}/stock",
    summary="A warehouse's stock per lot and owner",
    description="The warehouse and auditors see every lot; an owner its own goods.",
    response_model=StockOut,
    responses=errors(401, 422, 429),
)
async def get_stock(warehouse_id: Id, ledger: LedgerDep, caller: CallerDep) -> dict[str, Any]:
    lots = await run_in_threadpool(_read, ledger, reads.stock, caller, warehouse_id)
    return {"warehouse_id": warehouse_id, "lots": lots}


@router.get(
    "/warehouses/alerts",
    summary="Stock counts or losses disagreeing with receipts",
    description="The Qingdao check: a warehouse sees its own alerts, auditors all.",
    response_model=AlertsOut,
    responses=errors(401, 422, 429),
)
async def get_alerts(
    ledger: LedgerDep,
    caller: CallerDep,
    warehouse_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Limit = 100,
) -> dict[str, Any]:
    found = await run_in_threadpool(_read, ledger, reads.alerts, caller, warehouse_id, limit)
    return {"alerts": found}


@router.get(
    "/lenders/portfolio",
    summary="Your loans with collateral value, LTV, margin calls",
    description="A lender's (or borrower's) loans; auditors see all. Filter by LTV state.",
    response_model=LoansOut,
    responses=errors(401, 422, 429),
)
async def get_portfolio(
    ledger: LedgerDep,
    caller: CallerDep,
    after: After = None,
    limit: Limit = 100,
    ltv_state: Annotated[str | None, Query(pattern=STATES)] = None,
) -> dict[str, Any]:
    today = ledger.clock.now().date()
    found = await run_in_threadpool(
        _read, ledger, reads.loans, caller, today, limit, after, ltv_state
    )
    return {"loans": found}


@router.get(
    "/loans/{loan_id}",
    summary="One loan with its postings (the balance is their sum)",
    response_model=LoanOut,
    responses=errors(401, 404, 422, 429),
)
async def get_loan(loan_id: Id, ledger: LedgerDep, caller: CallerDep) -> dict[str, Any]:
    today = ledger.clock.now().date()
    found = await run_in_threadpool(_read, ledger, reads.loan, caller, loan_id, today)
    if found is None:
        raise NotFound(f"no loan {loan_id}", field="loan_id")
    return dict(found)


@router.get(
    "/finance/policies",
    summary="Advance rate, margin-call and liquidation LTV, haircut "
    "and cure period by commodity class",
    response_model=PoliciesOut,
    responses=errors(401, 429),
)
async def get_policies(caller: CallerDep) -> dict[str, Any]:
    return {"classes": BOOK.describe(), "commodity_class": dict(BOOK.commodity_class)}
