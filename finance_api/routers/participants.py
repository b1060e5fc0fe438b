"""What a participant does with its key: append signed events and read entries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from finance_api.body import json_body
from finance_api.deps import CallerDep, LedgerDep
from ledger.core.errors import Forbidden, InvalidEvent, NotFound
from ledger.core.events import Event
from ledger.storage.query import MAX_LIMIT, EntryQuery

router = APIRouter(prefix="/v1", tags=["ledger"])


def _parse(body: Any) -> tuple[list[Event], bool]:
    if isinstance(body, dict) and "events" in body:
        items = body["events"]
        if not isinstance(items, list):
            raise InvalidEvent("must be a list of events", field="events")
        events = []
        for i, item in enumerate(items):
            try:
                events.append(Event.from_json(item))
            except InvalidEvent as exc:
                exc.field = f"events[{i}]" + (f".{exc.field}" if exc.field else "")
                raise
        return events, True
    return [Event.from_json(body)], False


_BODY_SCHEMA = {
    "description": 'a signed event, or {"events": [...]} for an atomic batch',
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@router.post(
    "/events",
    status_code=201,
    summary="Append one signed event or an atomic batch",
    openapi_extra={"requestBody": _BODY_SCHEMA},
)
async def post_events(
    request: Request,
    ledger: LedgerDep,
    caller: CallerDep,
    response: Response,
) -> dict[str, Any]:
    events, batch = _parse(await json_body(request))
    participant = caller.participant_id
    for i, event in enumerate(events):
        if event.actor != participant:
            raise Forbidden(
                f"the API key belongs to {participant!r}, not to the actor {event.actor!r}",
                field=f"events[{i}].actor" if batch else "actor",
            )
    entries = await run_in_threadpool(ledger.append_batch, events)
    if all(entry.replayed for entry in entries):
        response.status_code = 200  # every event was already there: idempotent replay
    if batch:
        return {"entries": [entry.to_json() for entry in entries]}
    return entries[0].to_json()


@router.get("/events", summary="Query entries with cursor pagination")
async def get_events(
    ledger: LedgerDep,
    after: Annotated[
        int | None, Query(ge=-1, description="cursor: the last seq of the previous page")
    ] = None,
    start_seq: Annotated[int | None, Query(ge=0)] = None,
    end_seq: Annotated[int | None, Query(ge=0)] = None,
    participant: Annotated[
        str | None, Query(max_length=200, description="as actor or subject")
    ] = None,
    item: Annotated[str | None, Query(max_length=200)] = None,
    flow: Annotated[str | None, Query()] = None,
    type: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[datetime | None, Query(description="occurred_at >= since")] = None,
    until: Annotated[datetime | None, Query(description="occurred_at < until")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> dict[str, Any]:
    query = EntryQuery(
        after=None if after is None or after < 0 else after,
        start_seq=start_seq,
        end_seq=end_seq,
        participant=participant,
        item=item,
        flow=flow,
        type=type,
        since=since,
        until=until,
        limit=limit,
    )
    page = await run_in_threadpool(ledger.query, query)
    return {"entries": [entry.to_json() for entry in page.entries], "next_cursor": page.next_cursor}


@router.get("/entries/{seq}", summary="One entry by sequence number")
async def get_entry(ledger: LedgerDep, seq: int) -> dict[str, Any]:
    if seq < 0:
        raise NotFound(f"no entry {seq}", field="seq")
    return (await run_in_threadpool(ledger.entry, seq)).to_json()
