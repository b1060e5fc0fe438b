"""The risk monitor over HTTP: a lender's alerts, exposure, and its webhook subscription.

``GET /v1/risk/alerts`` pages through the caller's own alerts (a lender sees only alerts
about its own lines, loans and book; an auditor reads every lender's), oldest first from an
entry cursor, and ``GET /v1/risk/alerts/stream`` sends them as Server-Sent Events, live
(:mod:`.stream`); ``GET /v1/risk/exposure`` gives EAD and EL per line and in total with the
PDs the lender was shown, its concentration by borrower and country, and the concentration
of its lines and receipt loans together by debtor, warehouse, commodity and country
(:mod:`.concentration`); ``PUT /v1/risk/webhook``
sets where alerts are pushed and answers the HMAC secret, once (a lender's key only).
:func:`build_router` takes the ledger and caller dependencies like every feature router.
(No postponed annotations: FastAPI reads the local dependency aliases.)
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from finance_api.lending.alert_tables import every_alert
from finance_api.lending.concentration import Concentration, concentration
from finance_api.lending.portfolio import Portfolio, portfolio
from finance_api.lending.rules.alerts import KINDS as LINE_KINDS
from finance_api.lending.rules.exposure import ExposureSettings
from finance_api.lending.rules.risk import KINDS as RISK_KINDS
from finance_api.lending.stream import Streams, events, parse_cursor
from finance_api.lending.webhooks import alert_json, subscribe
from finance_api.params import MAX_SEQ
from ledger.core.access import Caller
from ledger.core.errors import Forbidden, InvalidEvent
from ledger.http import errors
from ledger.log import Ledger

MAX_LIMIT = 1000
KINDS = (*LINE_KINDS, *RISK_KINDS)


class AlertOut(BaseModel):
    """One alert: what happened to which line (or borrower), how bad, and the figures."""

    id: str
    seq: int = Field(description="the entry that raised it")
    kind: str
    subject: str
    lender: str
    borrower: str
    severity: str
    detail: dict[str, int | str]
    occurred_at: str


class AlertPage(BaseModel):
    alerts: list[AlertOut]
    next_after: int | None = Field(description="pass as `after` for the next page")


class WebhookIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")


class WebhookOut(BaseModel):
    lender: str
    url: str
    secret: str = Field(description="HMAC-SHA256 key of the X-Threeflow-Signature header")
    from_seq: int


class LineRiskOut(BaseModel):
    line_id: str
    borrower: str
    currency: str
    ead_minor: int
    pd_ppm: int
    expected_loss_minor: int


class TotalOut(BaseModel):
    currency: str
    lines: int
    ead_minor: int
    expected_loss_minor: int


class ShareOut(BaseModel):
    name: str
    ead_minor: int
    share_bp: int


class ConcentrationOut(BaseModel):
    currency: str
    dimension: str = Field(description="debtor, warehouse, commodity or country")
    name: str
    exposure_minor: int = Field(description="lines at EAD, receipt loans at what they owe")
    share_bp: int = Field(description="of the lender's book in this currency, rounded down")
    over_threshold: bool


class ExposureOut(BaseModel):
    """EAD = drawn + CCF x undrawn, EL = PD x LGD x EAD, per line and in total; the largest
    shares of the book by borrower and by the borrowers' registered countries; and the
    concentration of lines and receipt loans together, per currency and dimension, largest
    first."""

    lender: str
    lines: list[LineRiskOut]
    totals: list[TotalOut]
    by_borrower: list[ShareOut]
    by_country: list[ShareOut]
    concentration: list[ConcentrationOut] = Field(default_factory=list)


def concentration_out(rows: list[Concentration]) -> list[ConcentrationOut]:
    return [ConcentrationOut(currency=r.currency, dimension=r.dimension, name=r.name,
                             exposure_minor=r.exposure, share_bp=r.share_bp,
                             over_threshold=r.over) for r in rows]  # fmt: skip


def exposure_out(book: Portfolio) -> ExposureOut:
    return ExposureOut(
        lender=book.lender,
        lines=[LineRiskOut(line_id=r.line_id, borrower=r.borrower, currency=r.currency,
                           ead_minor=r.ead, pd_ppm=r.pd_ppm,
                           expected_loss_minor=r.expected_loss) for r in book.lines],
        totals=[TotalOut(currency=t.currency, lines=t.lines, ead_minor=t.ead,
                         expected_loss_minor=t.expected_loss) for t in book.totals],
        by_borrower=[ShareOut(name=s.name, ead_minor=s.ead, share_bp=s.share_bp)
                     for s in book.by_borrower],
        by_country=[ShareOut(name=s.name, ead_minor=s.ead, share_bp=s.share_bp)
                    for s in book.by_country],
    )  # fmt: skip


def exposure(ledger: Ledger, lender: str, settings: ExposureSettings, unscored: int,
             threshold_bp: int = 2_500) -> ExposureOut:  # fmt: skip
    with ledger.reading() as connection:
        book = portfolio(connection, lender, settings, unscored)
        shares = concentration(connection, lender, book.lines, threshold_bp)
    return exposure_out(book).model_copy(update={"concentration": concentration_out(shares)})


def _lender(caller: Caller, *, auditors: bool = False) -> str | None:
    """The lender whose alerts the caller sees (None: an auditor, who reads every lender's)."""
    if auditors and caller.has_role("auditor") and not caller.has_role("lender"):
        return None
    if not caller.has_role("lender"):
        raise Forbidden("the risk monitor needs a key with role lender", field="X-API-Key")
    return caller.participant_id


def alerts_page(ledger: Ledger, lender: str | None, after: int, kind: str | None,
                limit: int) -> AlertPage:  # fmt: skip
    alerts = every_alert()
    c = alerts.c
    query = select(alerts).where(c.seq > after)
    if lender is not None:
        query = query.where(c.lender == lender)
    if kind is not None:
        query = query.where(c.kind == kind)
    with ledger.reading() as connection:
        rows = connection.execute(query.order_by(c.seq, c.kind, c.subject).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    if more:  # a page ends on a whole entry, so the cursor never splits one entry's alerts
        last = rows[-1].seq
        rows = [r for r in rows if r.seq != last] or rows
    return AlertPage(alerts=[AlertOut(**alert_json(r)) for r in rows],
                     next_after=rows[-1].seq if more and rows else None)  # fmt: skip


def build_router(ledger_dep: Callable[..., Any], caller_dep: Callable[..., Caller]) -> APIRouter:
    LedgerDep = Annotated[Ledger, Depends(ledger_dep)]
    CallerDep = Annotated[Caller, Depends(caller_dep)]
    router = APIRouter(prefix="/v1/risk", tags=["risk monitor"])
    default_streams = Streams()

    @router.get(
        "/alerts",
        summary="The caller's risk alerts: days past due, limit breaches, freezes, defaults, "
        "concentration, score drops, margin calls, stock reconciliation failures",
        responses=errors(401, 403, 422, 429),
    )
    async def get_alerts(
        ledger: LedgerDep,
        caller: CallerDep,
        after: Annotated[int, Query(ge=-1, le=MAX_SEQ, description="entry cursor")] = -1,
        kind: Annotated[str | None, Query(max_length=32, description=", ".join(KINDS))] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    ) -> AlertPage:
        lender = _lender(caller, auditors=True)
        if kind is not None and kind not in KINDS:
            raise InvalidEvent(f"must be one of {', '.join(KINDS)}", field="kind")
        return await run_in_threadpool(alerts_page, ledger, lender, after, kind, limit)

    @router.get(
        "/exposure",
        summary="The caller's exposure at default and expected loss, per line and in total, "
        "and its concentration by borrower and country",
        description="PD is the latest score the scoring service showed the lender "
        "(`credit.score_issued`); a borrower never scored counts at `unscored_pd_ppm`.",
        responses=errors(401, 403, 422, 429),
    )
    async def get_exposure(
        ledger: LedgerDep,
        caller: CallerDep,
        ccf_bp: Annotated[int, Query(ge=0, le=10_000, description="CCF of the undrawn")] = 4_000,
        lgd_bp: Annotated[int, Query(ge=0, le=10_000, description="loss given default")] = 4_500,
        unscored_pd_ppm: Annotated[int, Query(ge=0, le=1_000_000)] = 1_000_000,
        threshold_bp: Annotated[
            int, Query(ge=1, le=10_000, description="concentration flagged above this share")
        ] = 2_500,
    ) -> ExposureOut:
        lender = _lender(caller)
        assert lender is not None
        settings = ExposureSettings(ccf_bp=ccf_bp, lgd_bp=lgd_bp)
        return await run_in_threadpool(exposure, ledger, lender, settings, unscored_pd_ppm,
                                       threshold_bp)  # fmt: skip

    @router.get(
        "/alerts/stream",
        summary="The caller's risk alerts as Server-Sent Events: from a cursor, then live",
        description="Each event is `event: alert`, `id:` the alert's id and `data:` the alert "
        "as `GET /v1/risk/alerts` gives it. Reconnect with `Last-Event-ID` (or `after`, an "
        "entry number) to resume with the next alert. A `: heartbeat` comment is sent when "
        "idle; `event: shutdown` ends the stream when the server stops, `event: reconnect` "
        "after its lifetime (an hour).",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "a stream of alert events",
                "content": {
                    "text/event-stream": {
                        "schema": {
                            "type": "object",
                            "description": "one Server-Sent Event: `event: alert` with `id:` "
                            "the alert id and `data:` the alert (AlertOut) as JSON; a final "
                            "`event: shutdown` or `event: reconnect`; `: heartbeat` comments",
                            "properties": {
                                "event": {"enum": ["alert", "shutdown", "reconnect"]},
                                "id": {"type": "string"},
                                "data": {"type": "string"},
                                "retry": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            **errors(401, 403, 422, 429),
        },
    )
    async def stream_alerts(
        request: Request,
        ledger: LedgerDep,
        caller: CallerDep,
        after: Annotated[int, Query(ge=-1, le=MAX_SEQ, description="entry cursor")] = -1,
        last_event_id: Annotated[str | None, Header(max_length=300)] = None,
    ) -> StreamingResponse:
        lender = _lender(caller, auditors=True)
        cursor = parse_cursor(last_event_id, after)
        streams: Streams = getattr(request.app.state, "risk_streams", default_streams)
        streams.acquire(caller.participant_id)
        body = events(ledger, streams, caller.participant_id, lender, cursor)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(body, media_type="text/event-stream", headers=headers)

    @router.put(
        "/webhook",
        summary="Push the caller's alerts to a URL, signed with a new HMAC secret",
        responses=errors(401, 403, 413, 422, 429),
    )
    async def put_webhook(ledger: LedgerDep, caller: CallerDep, body: WebhookIn) -> WebhookOut:
        lender = _lender(caller)
        assert lender is not None
        out = await run_in_threadpool(subscribe, ledger, lender, body.url, ledger.clock)
        return WebhookOut(**out)

    return router
