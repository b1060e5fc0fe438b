"""EPCIS 2.0 over HTTP: capture documents (JSON, JSON-LD or XML), query and export events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from finance_api.deps import LedgerDep, ParticipantDep
from finance_api.errors import error_body
from finance_api.routers.ledger import MAX_BODY
from ledger.core.errors import InvalidEvent
from ledger.traceability.capture import capture
from ledger.traceability.epcis import EpcisError, export_document
from ledger.traceability.errors import QueryError
from ledger.traceability.query import EpcisQuery, find

router = APIRouter(prefix="/v1/epcis", tags=["epcis"])


@router.post(
    "/capture",
    status_code=201,
    summary="Capture an EPCIS 2.0 document (all events or none)",
    description="Body: an EPCISDocument or a single event, as application/json, "
    "application/ld+json or application/xml. Answers each event's hash ID and ledger seq in "
    "document order; events already on the ledger are flagged `duplicate` with their seq.",
)
async def post_capture(
    ledger: LedgerDep,
    participant: ParticipantDep,
    request: Request,
    content_type: Annotated[str | None, Header()] = None,
) -> Any:
    data = await request.body()
    if len(data) > MAX_BODY:
        raise InvalidEvent(f"the document is larger than {MAX_BODY} bytes", field="body")
    try:
        captured = await run_in_threadpool(capture, ledger, data, content_type, participant)
    except EpcisError as exc:  # the one handler drops ``reasons``; a refusal must list them
        body = error_body(exc.code, exc.detail, exc.field)
        body["reasons"] = [{"path": r.path, "message": r.message} for r in exc.reasons]
        return JSONResponse(body, status_code=exc.status)
    return {"captured_by": participant, "events": [c.to_json() for c in captured]}


@router.get(
    "/events",
    summary="Query EPCIS events (MATCH_*, EQ_*, GE_/LT_eventTime, EQ_bizTransaction_<type>)",
    description="`format=document` answers an EPCIS 2.0 JSON-LD EPCISDocument; otherwise a "
    "page of events with their hash IDs and seqs, and `next_after` for the next page.",
)
async def get_events(ledger: LedgerDep, request: Request) -> dict[str, Any]:
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
