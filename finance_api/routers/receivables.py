"""Receivable finance over HTTP: a lender's factoring and advance-payment acts, and reads.

A lender posts its signed ``receivable.*`` events (one, or ``{"events": [...]}`` as an
atomic batch) to ``POST /v1/lenders/receivables``; the ``lending.receivables`` projection
judges them in the append's transaction, and a refusal answers 4xx naming the field and the
rule (``already_financed`` when the document, or its goods, is financed already), with
nothing written. With the shared receivable registry on (``app.state.receivable_registry``)
financings go through its gate: the ledger judges first, then the chain, then the ledger
commits (409 when another deployment financed the document; 503 when the node is down).

Reads: the parties to a financing (lender, seller, debtor) and auditors see it with its
postings; anyone else gets 404, as for a financing that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from finance_api.auth import require_role
from finance_api.body import json_body
from finance_api.deps import CallerDep, LedgerDep
from finance_api.lending import receivable_reads as reads
from finance_api.lending.rules.receivables import EVENT_TYPES
from finance_api.routers.participants import ID_PATTERN, _append, _parse
from finance_api.routers.receivables_schemas import FinancingOut, FinancingsOut
from finance_api.schemas import EntriesOut, EntryOut, errors
from ledger.core.errors import Forbidden, InvalidEvent, NotFound
from ledger.http import ErrorBody
from ledger.log import Ledger

router = APIRouter(prefix="/v1", tags=["receivables"])
Id = Annotated[str, Path(pattern=ID_PATTERN, max_length=200)]
After = Annotated[str | None, Query(pattern=ID_PATTERN, max_length=200, description="cursor")]
Limit = Annotated[int, Query(ge=1, le=500)]
Status = Annotated[str | None, Query(pattern="^(open|settled|written_off|converted)$")]
_BODY = {
    "description": 'the signed receivable.* event, or {"events": [...]} for an atomic batch',
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}


def _read(ledger: Ledger, fn: Callable[..., Any], *args: Any) -> Any:
    with ledger.reading() as connection:
        return fn(connection, *args)


@router.post(
    "/lenders/receivables",
    status_code=201,
    summary="Finance a confirmed invoice or an accepted order; collect, recourse, settle",
    description="Takes " + ", ".join(sorted(EVENT_TYPES)) + ", signed by the lender.",
    openapi_extra={"requestBody": _BODY},
    response_model=EntryOut | EntriesOut,
    responses={
        **errors(400, 401, 403, 404, 409, 413, 422, 429),
        503: {"model": ErrorBody, "description": "the receivable registry's node is down"},
        504: {"model": ErrorBody, "description": "the receivable registry did not answer in time"},
    },
)
async def post_receivables(
    request: Request, ledger: LedgerDep, caller: CallerDep, response: Response
) -> dict[str, Any]:
    require_role(caller, frozenset({"lender"}), "receivable finance")
    events, batch = _parse(await json_body(request))
    for i, event in enumerate(events):
        where = f"events[{i}]." if batch else ""
        if event.type not in EVENT_TYPES:
            raise InvalidEvent(f"this route takes receivable.* acts, not {event.type}",
                               field=f"{where}type")  # fmt: skip
        if event.actor != caller.participant_id:
            raise Forbidden(
                f"the API key belongs to {caller.participant_id!r}, not to {event.actor!r}",
                field=f"{where}actor",
            )
    gate = getattr(request.app.state, "receivable_registry", None)
    entries, shown = await run_in_threadpool(_append, ledger, events, gate, batch)
    if all(entry.replayed for entry in entries):
        response.status_code = 200
    return {"entries": shown} if batch else shown[0]


@router.get(
    "/receivables",
    summary="Financings you are a party to (auditors: all)",
    response_model=FinancingsOut,
    responses=errors(401, 422, 429),
)
async def list_receivables(
    ledger: LedgerDep, caller: CallerDep, status: Status = None, after: After = None,
    limit: Limit = 100,
) -> dict[str, Any]:  # fmt: skip
    found = await run_in_threadpool(_read, ledger, reads.financings, caller, status, limit, after)
    return {"financings": found}


@router.get(
    "/receivables/{financing_id}",
    summary="One financing: terms, what came in, fee, rebate, and its postings",
    response_model=FinancingOut,
    responses=errors(401, 404, 422, 429),
)
async def get_receivable(financing_id: Id, ledger: LedgerDep, caller: CallerDep) -> dict[str, Any]:
    found = await run_in_threadpool(_read, ledger, reads.financing, caller, financing_id)
    if found is None:
        raise NotFound(f"no financing {financing_id}", field="financing_id")
    return dict(found)
