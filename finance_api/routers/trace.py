"""Traceability over HTTP: trace an item with proofs, recall scope of a lot, authenticity."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from finance_api.deps import LedgerDep
from ledger.traceability.authenticity import authenticity
from ledger.traceability.epcis.timestamps import to_utc_datetime
from ledger.traceability.errors import QueryError
from ledger.traceability.recall import recall_scope
from ledger.traceability.trace import Window, trace

router = APIRouter(prefix="/v1", tags=["traceability"])


def _instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return to_utc_datetime(text)
    except (ValueError, OverflowError):
        raise QueryError("must be an ISO 8601 date-time with a time zone", field=name) from None


@router.get(
    "/trace/{item_id:path}",
    summary="Trace an EPC, LGTIN or SSCC backward, forward or both, with inclusion proofs",
)
async def get_trace(
    ledger: LedgerDep,
    item_id: str,
    direction: Annotated[str, Query()] = "backward",
    since: Annotated[str | None, Query(description="eventTime >= since")] = None,
    until: Annotated[str | None, Query(description="eventTime < until")] = None,
) -> dict[str, Any]:
    window = Window(_instant(since, "since"), _instant(until, "until"))
    return await run_in_threadpool(trace, ledger, item_id, direction, window)


@router.get("/recall/{lot:path}", summary="End items that contain a lot, and where they are")
async def get_recall(ledger: LedgerDep, lot: str) -> dict[str, Any]:
    return await run_in_threadpool(recall_scope, ledger, lot)


@router.get(
    "/items/{item_id:path}/authenticity",
    summary="Origin, brand, certifications, verdict and impossible-history flags of an item",
)
async def get_authenticity(ledger: LedgerDep, item_id: str) -> dict[str, Any]:
    return await run_in_threadpool(authenticity, ledger, item_id)
