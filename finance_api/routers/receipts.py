"""Warehouse-receipt financing by audience: what warehouses, borrowers and lenders sign.

Each act is a signed ledger event of its party, sent whole (or a batch, for acts that are
several events at once: a split is the new receipt and the cancellation of the old). A
route accepts only the event types of its act, from a caller holding the role; the
``finance.receipts`` projection then judges it in the append's transaction, and a refusal
answers 4xx naming the field and the rule, with nothing written.

When the shared receipt registry is on (``app.state.receipt_registry``, set by the
server's factory from ``THREEFLOW_RECEIPT_REGISTRY_*``), receipt events go through its
gate (:mod:`finance_api.receipts_chain.gate`): the ledger judges first, then the chain,
then the ledger commits, so the two agree or the act is refused (409 naming the field; 503
when the node is down; 504 when it did not answer in time), with nothing written.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from finance_api.auth import require_role
from finance_api.body import json_body
from finance_api.deps import CallerDep, LedgerDep
from finance_api.routers.participants import _append, _parse
from finance_api.schemas import EntriesOut, EntryOut, errors
from ledger.core.errors import Forbidden, InvalidEvent
from ledger.http import ErrorBody

router = APIRouter(prefix="/v1", tags=["receipts"])
BORROWERS = {"seller", "buyer"}

_BODY = {
    "description": 'the signed event of the act, or {"events": [...]} for an atomic batch',
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_ANSWERS: dict[str, Any] = {
    "status_code": 201,
    "openapi_extra": {"requestBody": _BODY},
    "response_model": EntryOut | EntriesOut,
    "responses": {
        **errors(400, 401, 403, 404, 409, 413, 422, 429),
        503: {"model": ErrorBody, "description": "the receipt registry's node is down"},
        504: {"model": ErrorBody, "description": "the receipt registry did not answer in time"},
    },
}


async def _act(
    request: Request,
    ledger: Any,
    caller: Any,
    response: Response,
    roles: frozenset[str],
    types: frozenset[str],
    act: str,
) -> dict[str, Any]:
    require_role(caller, roles, act)
    events, batch = _parse(await json_body(request))
    for i, event in enumerate(events):
        where = f"events[{i}]." if batch else ""
        if event.type not in types:
            raise InvalidEvent(
                f"{act} takes {', '.join(sorted(types))}, not {event.type}", field=f"{where}type"
            )
        if event.actor != caller.participant_id:
            raise Forbidden(
                f"the API key belongs to {caller.participant_id!r}, not to {event.actor!r}",
                field=f"{where}actor",
            )
    gate = getattr(request.app.state, "receipt_registry", None)
    entries, shown = await run_in_threadpool(_append, ledger, events, gate, batch)
    if all(entry.replayed for entry in entries):
        response.status_code = 200
    return {"entries": shown} if batch else shown[0]


def _route(path: str, role: str, types: set[str], act: str, summary: str) -> None:
    allowed = frozenset(types)
    roles = frozenset(BORROWERS if role == "seller" else {role})

    async def endpoint(
        request: Request, ledger: LedgerDep, caller: CallerDep, response: Response
    ) -> dict[str, Any]:
        return await _act(request, ledger, caller, response, roles, allowed, act)

    endpoint.__name__ = "post_" + path.strip("/").replace("/", "_").replace("-", "_")
    router.post(
        path, summary=summary, description=f"Takes {', '.join(sorted(types))}.", **_ANSWERS
    )(endpoint)


# warehouses
_route(
    "/warehouses/receipts",
    "warehouse",
    {"receipt.issued"},
    "issuing a receipt",
    "Issue a receipt for goods the ledger shows you hold for the holder",
)
_route(
    "/warehouses/receipts/split",
    "warehouse",
    {"receipt.issued", "receipt.cancelled"},
    "splitting a receipt",
    "Split a released receipt: the new receipt(s) and the cancellation",
)
_route(
    "/warehouses/receipts/cancel",
    "warehouse",
    {"receipt.cancelled"},
    "cancelling a receipt",
    "Cancel a receipt that is not pledged",
)
_route(
    "/warehouses/stock",
    "warehouse",
    {"goods.received", "goods.lost", "goods.released", "stock.counted"},
    "stock movements",
    "Record goods received, lost, released, or a stock count (checked against receipts)",
)
# borrowers
_route(
    "/borrowers/pledges",
    "seller",
    {"receipt.pledged"},
    "pledging a receipt",
    "Pledge a receipt you hold to one lender",
)
_route(
    "/borrowers/top-ups",
    "seller",
    {"receipt.pledged"},
    "topping up collateral",
    "Pledge another receipt to a loan (naming its loan_id), e.g. to meet a margin call",
)
_route(
    "/borrowers/repayments",
    "seller",
    {"payment.made"},
    "repaying",
    "Pay your lender (the lender confirms it and applies it)",
)
# lenders
_route(
    "/lenders/disbursements",
    "lender",
    {"loan.disbursed", "loan.fee_posted", "loan.schedule_issued"},
    "disbursing",
    "Disburse a loan against a receipt pledged to you",
)
_route(
    "/lenders/postings",
    "lender",
    {
        "loan.repaid",
        "loan.interest_posted",
        "loan.fee_posted",
        "loan.statement_issued",
        "loan.past_due",
        "loan.defaulted",
        "loan.recovery_posted",
        "loan.written_off",
        "receipt.released",
    },
    "posting to a loan",
    "Apply a repayment, post interest or fees, release a receipt, declare default",
)
_route(
    "/lenders/margin-calls",
    "lender",
    {"loan.margin_called", "loan.margin_cured"},
    "margin calls",
    "Call margin (at the margin-call LTV the ledger computes) or close a cured call",
)
_route(
    "/lenders/liquidations",
    "lender",
    {"collateral.liquidated", "receipt.released"},
    "liquidating",
    "Sell pledged collateral (past the liquidation LTV, the cure date, or default)",
)
