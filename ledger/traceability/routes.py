"""Traceability over HTTP: EPCIS capture and query, traces with proofs, recall, authenticity.

EPCIS events are shared across the network's participants (the trading partners of a
supply chain trace through each other's events), so query, trace and recall need an API
key of any participant; capture needs a role that handles goods; authenticity is public,
as a consumer checking an anti-counterfeit code has no key.

:func:`build_router` takes the two things a route needs from the service as FastAPI
dependencies — the ledger and the authenticated caller — so this feature mounts on the
finance service without importing it.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ledger.core.access import Caller
from ledger.core.errors import Forbidden
from ledger.core.event_types import REGISTRY
from ledger.http import errors
from ledger.log import Ledger
from ledger.traceability.authenticity import authenticity
from ledger.traceability.capture import SIGNED_CAPTURES, capture, capture_signed, signed_entries
from ledger.traceability.epcis import EpcisError, export_document
from ledger.traceability.epcis.timestamps import to_utc_datetime
from ledger.traceability.errors import QueryError
from ledger.traceability.query import EpcisQuery, find
from ledger.traceability.recall import recall_scope
from ledger.traceability.schemas import (
    AuthenticityOut,
    CaptureOut,
    EpcisEventsOut,
    RecallOut,
    TraceOut,
)
from ledger.traceability.trace import Window, trace


def _instant(text: str | None, name: str) -> datetime | None:
    if text is None:
        return None
    try:
        return to_utc_datetime(text)
    except (ValueError, OverflowError):
        raise QueryError("must be an ISO 8601 date-time with a time zone", field=name) from None


def _refusal(exc: EpcisError) -> JSONResponse:
    """A refused document lists every reason (the shared handler keeps only the first)."""
    body = {
        "error": exc.code,
        "detail": exc.detail,
        "field": exc.field,
        "reasons": [{"path": r.path, "message": r.message} for r in exc.reasons],
    }
    return JSONResponse(body, status_code=exc.status)


def build_router(ledger_dep: Callable[..., Any], caller_dep: Callable[..., Caller]) -> APIRouter:
    LedgerDep = Annotated[Ledger, Depends(ledger_dep)]
    CallerDep = Annotated[Caller, Depends(caller_dep)]
    router = APIRouter(prefix="/v1", tags=["traceability"])

    @router.post(
        "/epcis/capture",
        status_code=201,
        summary="Capture an EPCIS 2.0 document (all events or none)",
        description="Body: an EPCISDocument or a single event, as application/json, "
        "application/ld+json or application/xml. Answers each event's hash ID and ledger seq "
        "in document order; events already on the ledger are flagged `duplicate` with their "
        "seq. Answers 201 when anything was written, 200 when every event was on the ledger "
        "already (an idempotent resubmit, as on `POST /v1/events`). Sender-signed: body "
        f'`{{"events": [...]}}` as `{SIGNED_CAPTURES}`, the participant\'s own signed '
        "`epcis.captured` entries (`threeflow epcis sign`); otherwise the capture notary "
        "signs the entries and marks them `notarised`.",
        response_model=CaptureOut,
        responses={
            200: {"model": CaptureOut, "description": "every event was on the ledger already"},
            **errors(400, 401, 403, 409, 413, 422, 429),
        },
    )
    async def post_capture(
        ledger: LedgerDep,
        caller: CallerDep,
        request: Request,
        response: Response,
        content_type: Annotated[str | None, Header()] = None,
    ) -> Any:
        roles = REGISTRY.event_type("logistics", "epcis.captured").authority.roles
        if caller.roles.isdisjoint(roles):
            raise Forbidden(
                f"capturing EPCIS events needs a key with role {' or '.join(sorted(roles))}",
                field="X-API-Key",
            )
        data = await request.body()
        try:
            if (content_type or "").split(";")[0].strip() == SIGNED_CAPTURES:
                entries = await run_in_threadpool(signed_entries, data)
                captured = await run_in_threadpool(
                    capture_signed, ledger, entries, caller.participant_id
                )
            else:
                captured = await run_in_threadpool(
                    capture, ledger, data, content_type, caller.participant_id
                )
        except EpcisError as exc:
            return _refusal(exc)
        if captured and all(c.duplicate for c in captured):
            response.status_code = 200  # nothing new: the existing entries, as a replay
        return {"captured_by": caller.participant_id, "events": [c.to_json() for c in captured]}

    @router.get(
        "/epcis/events",
        summary="Query EPCIS events (MATCH_*, EQ_*, GE_/LT_eventTime, EQ_bizTransaction_<type>)",
        description="`format=document` answers an EPCIS 2.0 JSON-LD EPCISDocument; otherwise a "
        "page of events with their hash IDs and seqs, and `next_after` for the next page.",
        response_model=EpcisEventsOut,
        response_model_exclude_none=True,
        responses=errors(401, 422, 429),
    )
    async def get_events(ledger: LedgerDep, caller: CallerDep, request: Request) -> dict[str, Any]:
        params: dict[str, list[str]] = {}
        for name, value in request.query_params.multi_items():
            params.setdefault(name, []).append(value)
        kind = params.get("format", ["events"])
        if kind not in (["events"], ["document"]):
            raise QueryError("must be events or document", field="format")
        query = EpcisQuery.parse(params)
        found, after = await run_in_threadpool(find, ledger, query)
        if kind == ["document"]:
            return export_document([f.event for f in found])
        return {
            "events": [{"seq": f.seq, "hash_id": f.hash_id, "event": f.event} for f in found],
            "next_after": after,
        }

    @router.get(
        "/trace/{item_id:path}",
        summary="Trace an EPC, LGTIN or SSCC backward, forward or both, with inclusion proofs",
        response_model=TraceOut,
        responses=errors(401, 404, 422, 429),
    )
    async def get_trace(
        ledger: LedgerDep,
        caller: CallerDep,
        item_id: str,
        direction: Annotated[str, Query()] = "backward",
        since: Annotated[str | None, Query(description="eventTime >= since")] = None,
        until: Annotated[str | None, Query(description="eventTime < until")] = None,
    ) -> dict[str, Any]:
        window = Window(_instant(since, "since"), _instant(until, "until"))
        return await run_in_threadpool(trace, ledger, item_id, direction, window)

    @router.get(
        "/recall/{lot:path}",
        summary="End items that contain a lot, and where they are",
        response_model=RecallOut,
        responses=errors(401, 404, 422, 429),
    )
    async def get_recall(ledger: LedgerDep, caller: CallerDep, lot: str) -> dict[str, Any]:
        return await run_in_threadpool(recall_scope, ledger, lot)

    @router.get(
        "/items/{item_id:path}/authenticity",
        summary="Origin, brand, certifications, verdict and impossible-history flags of an item",
        response_model=AuthenticityOut,
        responses=errors(404, 422),
    )
    async def get_authenticity(ledger: LedgerDep, item_id: str) -> dict[str, Any]:
        return await run_in_threadpool(authenticity, ledger, item_id)

    return router
