"""What a participant does with its key: append signed events, read what it may see.

Reads follow :mod:`ledger.trust.access`: a participant sees the entries it is actor or
subject of, a lender also those of participants whose consent to it is in force (each such
read is recorded, and the subject can list them), an auditor everything. What a caller may
not see answers 404, exactly like what does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from finance_api import body as bodies
from finance_api import onboarding
from finance_api.deps import CallerDep, LedgerDep
from finance_api.offload import offload
from finance_api.params import MAX_INSTANT_LENGTH, MAX_SEQ, instant
from finance_api.routers.events_answer import answer_bytes
from finance_api.schemas import AccessLogOut, EntriesOut, EntryOut, PageOut, errors
from ledger.core.access import Caller
from ledger.core.append_receipt import AppendReceipt
from ledger.core.entry import LedgerEntry
from ledger.core.errors import Forbidden, InvalidEvent, NotFound
from ledger.core.events import Event, format_timestamp
from ledger.core.rotation import RotationRequest
from ledger.http import ErrorBody
from ledger.log import Ledger
from ledger.storage import reads
from ledger.storage.query import CLAIM_STATUSES, MAX_LIMIT, EntryQuery
from ledger.trust import access
from ledger.trust.claims import confirmations
from ledger.trust.tables import AccessRecord

router = APIRouter(prefix="/v1", tags=["participants"])
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-/#@+]{0,199}$"


def _parse(body: Any, plain: bool = False) -> tuple[list[Event], bool]:
    if isinstance(body, dict) and "events" in body:
        items = body["events"]
        if not isinstance(items, list):
            raise InvalidEvent("must be a list of events", field="events")
        events = []
        for i, item in enumerate(items):
            try:
                events.append(Event.from_json(item, plain=plain))
            except InvalidEvent as exc:
                exc.field = f"events[{i}]" + (f".{exc.field}" if exc.field else "")
                raise
        return events, True
    return [Event.from_json(body, plain=plain)], False


_BODY_SCHEMA = {
    "description": 'a signed event, or {"events": [...]} for an atomic batch',
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}


def _shown(connection: Any, entries: list[LedgerEntry]) -> list[dict[str, Any]]:
    """Entries as JSON, each claim with its confirmation state."""
    states = confirmations(connection, [e.seq for e in entries])
    out = []
    for entry in entries:
        shown = entry.to_json()
        shown["confirmation"] = states.get(entry.seq)
        out.append(shown)
    return out


@router.post(
    "/events",
    status_code=201,
    summary="Append one signed event or an atomic batch",
    description="Each event must be signed by its actor, the key's holder. Answers 201 with the "
    "new entries, or 200 when every event was on the ledger already (an idempotent resubmit).",
    openapi_extra={"requestBody": _BODY_SCHEMA},
    response_model=EntryOut | EntriesOut,
    responses={
        **errors(400, 401, 403, 409, 413, 422, 429),
        503: {"model": ErrorBody, "description": "the receipt registry's node is down"},
        504: {"model": ErrorBody, "description": "the receipt registry did not answer in time"},
    },
)
async def post_events(request: Request, ledger: LedgerDep, caller: CallerDep) -> Response:
    # All but reading the body off the loop: a large batch is milliseconds of CPU.
    state = request.app.state  # the receivable gate hands other batches to the receipt one
    gate = getattr(state, "receivable_registry", None) or getattr(state, "receipt_registry", None)
    status, body = await offload(_post, ledger, caller, await request.body(), gate)
    return Response(body, status_code=status, media_type="application/json")


def _post(ledger: Ledger, caller: Caller, data: bytes, gate: Any) -> tuple[int, bytes]:
    body, plain = bodies.parse_json_plain(data)
    events, batch = _parse(body, plain)
    participant = caller.participant_id
    for i, event in enumerate(events):
        if event.actor != participant:
            raise Forbidden(
                f"the API key belongs to {participant!r}, not to the actor {event.actor!r}",
                field=f"events[{i}].actor" if batch else "actor",
            )
        if caller.roles.isdisjoint(
            ledger.registry.event_type(event.flow, event.type).authority.roles
        ):
            raise Forbidden(
                f"this API key may not act in the roles {event.type} needs",
                field=f"events[{i}].type" if batch else "type",
            )
    entries, receipts = _appended(ledger, events, gate, batch)
    status = 200 if all(entry.replayed for entry in entries) else 201  # 200: a replay
    return status, answer_bytes(entries, receipts, batch, plain=plain)


def _appended(
    ledger: Ledger, events: list[Event], gate: Any, batch: bool
) -> tuple[list[Any], Callable[[], list[AppendReceipt]]]:
    """Append (``gate``: the shared receipt registry's, when on), and the entries' receipts
    being signed on the signature threads meanwhile."""
    entries = (
        ledger.append_batch(events) if gate is None else gate.append(ledger, events, batch=batch)
    )
    return entries, ledger.receipts(entries)


def _append(
    ledger: Ledger, events: list[Event], gate: Any = None, batch: bool = False
) -> tuple[list[Any], list[dict[str, Any]]]:
    """:func:`_appended` as the entries' JSON, each with its receipt (on a worker thread)."""
    entries, receipts = _appended(ledger, events, gate, batch)
    shown = [{**e.to_json(), "replayed": e.replayed} for e in entries]
    for item, receipt in zip(shown, receipts(), strict=True):
        item["receipt"] = receipt.to_json()
    return entries, shown


def _page(ledger: Ledger, caller: Caller, query: EntryQuery, resource: str) -> dict[str, Any]:
    now = ledger.clock.now()
    with ledger.unit_of_work(lock=False) as uow:
        seen = access.visibility(uow.connection, caller, now)
        limited = EntryQuery(
            **{
                name: getattr(query, name)
                for name in query.__dataclass_fields__
                if name != "visible_to"
            },
            visible_to=None if seen.everything else seen.refs,
        )
        page = reads.page(uow.connection, limited)
        access.record_reads(uow.connection, seen, page.entries, resource, now)
        shown = _shown(uow.connection, page.entries)
        uow.commit()
    return {"entries": shown, "next_cursor": page.next_cursor}


@router.get(
    "/events",
    summary="Query the entries you may see, with cursor pagination",
    response_model=PageOut,
    responses=errors(401, 422, 429),
)
async def get_events(
    ledger: LedgerDep,
    caller: CallerDep,
    after: Annotated[
        int | None, Query(ge=-1, le=MAX_SEQ, description="cursor: the last seq of the last page")
    ] = None,
    start_seq: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    end_seq: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    participant: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="as actor or subject")
    ] = None,
    item: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    flow: Annotated[str | None, Query(pattern="^(information|logistics|finance)$")] = None,
    type: Annotated[str | None, Query(max_length=100)] = None,
    since: Annotated[
        str | None, Query(max_length=MAX_INSTANT_LENGTH, description="occurred_at >= since")
    ] = None,
    until: Annotated[
        str | None, Query(max_length=MAX_INSTANT_LENGTH, description="occurred_at < until")
    ] = None,
    claim_status: Annotated[
        str | None,
        Query(pattern=f"^({'|'.join(CLAIM_STATUSES)})$", description="claims in this state"),
    ] = None,
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
        since=instant(since, "since"),
        until=instant(until, "until"),
        claim_status=claim_status,
        limit=limit,
    )
    return await run_in_threadpool(_page, ledger, caller, query, "GET /v1/events")


def _one(ledger: Ledger, caller: Caller, seq: int) -> dict[str, Any]:
    now = ledger.clock.now()
    with ledger.unit_of_work(lock=False) as uow:
        try:
            entry = reads.entry(uow.connection, seq)
        except NotFound:
            entry = None
        seen = access.visibility(uow.connection, caller, now)
        if entry is None or not seen.allows(entry):
            raise NotFound(f"no entry {seq}", field="seq")
        access.record_reads(uow.connection, seen, [entry], f"GET /v1/entries/{seq}", now)
        shown = _shown(uow.connection, [entry])[0]
        uow.commit()
    return shown


@router.get(
    "/entries/{seq}",
    summary="One entry by sequence number, if you may see it",
    response_model=EntryOut,
    responses=errors(401, 404, 422, 429),
)
async def get_entry(
    ledger: LedgerDep, caller: CallerDep, seq: Annotated[int, Path(ge=0, le=MAX_SEQ)]
) -> dict[str, Any]:
    return await run_in_threadpool(_one, ledger, caller, seq)


def _access_log(ledger: Ledger, subject: str, limit: int) -> dict[str, Any]:
    with ledger.reading() as connection:
        rows = connection.execute(
            select(AccessRecord.__table__)
            .where(AccessRecord.subject == subject)
            .order_by(AccessRecord.id.desc())
            .limit(limit)
        ).all()
        records = [
            {
                "reader": r.reader,
                "subject": r.subject,
                "resource": r.resource,
                "detail": r.detail,
                "consent_id": r.consent_id,
                "at": format_timestamp(r.at),
            }
            for r in rows
        ]
    return {"records": records}


@router.get(
    "/access-log",
    summary="Who read your data under your consent, newest first",
    response_model=AccessLogOut,
    responses=errors(401, 422, 429),
)
async def get_access_log(
    ledger: LedgerDep, caller: CallerDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    return await run_in_threadpool(_access_log, ledger, caller.participant_id, limit)


class Rotation(BaseModel):
    key_id: str = Field(pattern="^[0-9a-f]{16}$", description="the current key signing this")
    new_public_key: str = Field(pattern="^[0-9a-f]{64}$")
    revoke: list[str] = Field(max_length=20, description="key ids to revoke (usually key_id)")
    requested_at: str = Field(max_length=MAX_INSTANT_LENGTH)
    signature: str = Field(pattern="^[0-9a-f]{128}$", description="Ed25519 by key_id")


@router.post(
    "/keys/rotate",
    status_code=201,
    summary="Rotate your own signing key with a request signed by a key you hold now",
    description="Sign the RFC 8785 bytes of {participant_id, key_id, new_public_key, revoke, "
    'requested_at}, prefixed with "threeflow/key-rotation/v1\\n", with the key `key_id`; '
    "send it within five minutes of requested_at. The new key and the revocations are "
    "written as operator entries in one transaction.",
    response_model=EntriesOut,
    responses=errors(401, 403, 404, 409, 422, 429),
)
async def rotate_key(ledger: LedgerDep, caller: CallerDep, body: Rotation) -> dict[str, Any]:
    at = instant(body.requested_at, "requested_at")
    assert at is not None
    request = RotationRequest(
        caller.participant_id, body.key_id, body.new_public_key, tuple(body.revoke), at,
        body.signature,
    )  # fmt: skip
    entries = await run_in_threadpool(onboarding.rotate, ledger, caller.participant_id, request)
    return {"entries": [entry.to_json() for entry in entries]}
