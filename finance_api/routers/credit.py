"""Credit over HTTP: a participant's score, a batch, its history, a buyer's credibility.

Under the consent rules of :mod:`finance_api.routers.credit_service`: a subject another
caller may not see is answered 404, exactly like one that does not exist. Scores are
computed off the event loop, at the newest signed checkpoint, and a score shown to a
lender or a seller is recorded on the ledger (``credit.score_issued``) before it is sent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from finance_api.deps import CallerDep, LedgerDep
from finance_api.heap import settle_heap
from finance_api.offload import offload
from finance_api.params import MAX_SEQ
from finance_api.routers.credit_service import CACHE, CreditService, NoModel, from_env
from finance_api.routers.participants import ID_PATTERN
from finance_api.snapshot import Rendered
from ledger.core.access import Caller
from ledger.core.errors import NotFound
from ledger.http import errors
from ledger.log import Ledger
from ledger.storage.query import EntryQuery
from ledger.trust.access import READ_ALL

MAX_BATCH = 100
MAX_HISTORY = 100
Participant = Annotated[str, Path(pattern=ID_PATTERN, max_length=200)]
router = APIRouter(prefix="/v1", tags=["credit"])


class ReasonOut(BaseModel):
    rank: int
    code: str
    feature: str
    value: float | str | None
    bin: str | None
    cost: float
    unit: str
    text: str = Field(description="in words a borrower understands")


class CheckpointOut(BaseModel):
    tree_size: int
    root_hash: str


class ScoreOut(BaseModel):
    participant: str
    score: int = Field(description="points: 600 at 50:1 good:bad odds, 20 to double them")
    pd: float = Field(description="probability of default within 12 months")
    pd_ppm: int
    grade: str
    reasons: list[ReasonOut] = Field(description="at most four, costliest first")
    reasons_hash: str
    model_version: str
    feature_schema_hash: str
    checkpoint: CheckpointOut = Field(description="the tree the features were read from")
    as_of: str
    score_id: str | None = Field(None, description="set when the score was recorded")
    recorded_seq: int | None = Field(None, description="the credit.score_issued entry")


class BatchIn(BaseModel):
    participants: list[Annotated[str, Field(pattern=ID_PATTERN, max_length=200)]] = Field(
        min_length=1, max_length=MAX_BATCH
    )


class BatchOut(BaseModel):
    scores: list[ScoreOut]
    not_found: list[str] = Field(description="absent, or not visible to you: the same answer")


class HistoryItem(BaseModel):
    seq: int
    recorded_at: str
    score_id: str
    recipient: str
    model_version: str
    tree_size: int
    root_hash: str
    score: int
    pd_ppm: int
    grade: str
    reasons_hash: str


class HistoryOut(BaseModel):
    participant: str
    items: list[HistoryItem]
    next_cursor: int | None


class Figure(BaseModel):
    value: Any
    entries: list[int] = Field(description="ledger sequence numbers behind the figure")
    count: int = Field(description="how many entries are behind it (the list is capped)")


class CredibilityOut(BaseModel):
    participant: str
    score: ScoreOut
    checkpoint: CheckpointOut
    payment_record: dict[str, Figure]
    channel_distribution: dict[str, Figure]
    capital_status: dict[str, Figure]
    reputation: dict[str, Figure]


async def _service(request: Request) -> CreditService:
    state = request.app.state
    if not hasattr(state, "credit"):
        state.credit = await offload(from_env)  # loading a model is not the loop's work
        settle_heap()  # the model's objects join those the collector no longer walks
    service: CreditService | None = state.credit
    if service is None:
        raise NoModel("no credit model is loaded in this service", field="participant")
    return service


def _rendered(score: dict[str, Any]) -> bytes:
    """The score as the route's model serialises it (what FastAPI would send)."""
    return ScoreOut.__pydantic_serializer__.to_json(ScoreOut.model_validate(score))


async def score_body(
    service: CreditService,
    ledger: Ledger,
    caller: Caller,
    subject: str,
    rendered: Rendered | None = None,
) -> bytes:
    """One score as the route sends it. Worked out off the loop, unless memory holds all it
    needs (a score already recorded for this reader: only its read is logged); a score
    shown to another party is recorded (or its read logged) before it is sent, its request
    awaiting the group commit on the loop (no worker thread is held while it waits, so more
    requests gather for each commit). ``rendered`` keeps the bytes of a score shown again,
    by its record."""
    serving = service.start_remembered(ledger, caller, subject)
    if serving is None:
        serving = await offload(service.start, ledger, caller, [subject])
    if serving.answer is not None:
        await serving.answer.answered()
    shown, _ = serving.finish()
    if not shown:
        raise NotFound(f"no participant {subject} you may see", field="participant")
    score = shown[0]
    if rendered is None or score.get("recorded_seq") is None:
        return _rendered(score)
    key = (service, score["checkpoint"]["tree_size"], subject, score["recorded_seq"])
    body = rendered.get(key)
    if body is None:
        body = _rendered(score)
        rendered.put(key, body)
    return body


def _scores_rendered(request: Request) -> Rendered:
    state = request.app.state
    if not hasattr(state, "scores_rendered"):
        state.scores_rendered = Rendered(CACHE)
    rendered: Rendered = state.scores_rendered
    return rendered


@router.get(
    "/credit/{participant}",
    summary="A participant's score, PD, grade and reasons at the newest checkpoint",
    description="Your own score, or another's under its consent (scope `score`); shown to "
    "anyone but the subject, the score is recorded on the ledger as `credit.score_issued`, "
    "once per reader (shown again, the answer names that record and the read is logged).",
    response_model=ScoreOut,
    responses=errors(401, 404, 422, 429),
)
async def get_score(
    request: Request, ledger: LedgerDep, caller: CallerDep, participant: Participant
) -> Response:
    # One's own score (or an auditor's read) already computed at this checkpoint is sent
    # from memory, as the bytes sent last time; anything else (consent, recording, a score
    # not computed yet) goes the full way in a worker thread.
    service = await _service(request)
    rendered = _scores_rendered(request)
    hit = service.unrecorded_hit(ledger, caller, participant)
    if hit is not None:
        key = (service, hit[0], participant)
        body = rendered.get(key)
        if body is None:
            body = await offload(_rendered, hit[1])
            rendered.put(key, body)
        return Response(body, media_type="application/json")
    body = await score_body(service, ledger, caller, participant, rendered)
    return Response(body, media_type="application/json")


@router.post(
    "/credit/batch",
    summary=f"Scores of up to {MAX_BATCH} participants",
    response_model=BatchOut,
    responses=errors(401, 404, 413, 422, 429),
)
async def post_batch(
    request: Request, ledger: LedgerDep, caller: CallerDep, body: BatchIn
) -> dict[str, Any]:
    service = await _service(request)
    wanted = list(dict.fromkeys(body.participants))
    shown, hidden = await offload(service.serve, ledger, caller, wanted)
    return {"scores": shown, "not_found": hidden}


def _history(
    service: CreditService,
    ledger: Ledger,
    caller: Caller,
    subject: str,
    limit: int,
    after: int | None,
) -> dict[str, Any]:
    if subject not in service.visible(ledger, caller, [subject]):
        raise NotFound(f"no participant {subject} you may see", field="participant")
    own = subject == caller.participant_id or bool(caller.roles & READ_ALL)
    page = ledger.query(
        EntryQuery(participant=subject, type="credit.score_issued", limit=limit, after=after)
    )
    items = []
    for entry in page.entries:
        p = entry.event.payload
        if p["subject"] != subject or not (own or p["recipient"] == caller.participant_id):
            continue
        items.append({
            "seq": entry.seq, "recorded_at": entry.recorded_at.isoformat(),
            **{k: p[k] for k in ("score_id", "recipient", "model_version", "tree_size",
                                 "root_hash", "score", "pd_ppm", "grade", "reasons_hash")},
        })  # fmt: skip
    return {"participant": subject, "items": items, "next_cursor": page.next_cursor}


@router.get(
    "/credit/{participant}/history",
    summary="The scores recorded about a participant, oldest first",
    description="The subject and auditors see every recorded score; a grantee sees those "
    "shown to it.",
    response_model=HistoryOut,
    responses=errors(401, 404, 422, 429),
)
async def get_history(
    request: Request,
    ledger: LedgerDep,
    caller: CallerDep,
    participant: Participant,
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY)] = 50,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
) -> dict[str, Any]:
    service = await _service(request)
    return await offload(_history, service, ledger, caller, participant, limit, after)


@router.get(
    "/buyers/{participant}/credibility",
    summary="A buyer's credibility for a seller: score, payments, channels, capital, reputation",
    description="Each figure lists the ledger entries behind it. Needs the buyer's consent "
    "(scope `score`) unless you are the buyer; the score shown is recorded on the ledger.",
    response_model=CredibilityOut,
    responses=errors(401, 404, 422, 429),
)
async def get_credibility(
    request: Request, ledger: LedgerDep, caller: CallerDep, participant: Participant
) -> dict[str, Any]:
    service = await _service(request)
    return await offload(service.credibility, ledger, caller, participant)
