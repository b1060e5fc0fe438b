"""Automatic credit decisions over HTTP: apply, read, override; a lender's policy.

``POST /v1/credit/applications`` takes the applicant's signed ``credit.application`` (alone,
or ``{"events": [application, consent]}`` with the applicant's signed ``consent.granted``
to the lender, scope ``score``) from the applicant or from the lender it applies to, and
answers the lender's automatic decision at once (see :mod:`.decision_desk`): outcome
(approve, refer, decline), limit, at most four adverse-action reasons in words, every rule,
the model version, PD and checkpoint, the fraud score. The decision is signed with the
decision key the lender placed with the service (:mod:`.decision_keys`): the lender's own
act, under its own policy, withdrawable by revoking that one key.
``POST /v1/credit/decisions/{id}/override`` is the lender's override with a reason (its key
only); ``GET /v1/credit/applications/{id}`` shows the application and its decisions to the
applicant, the lender and auditors (404 to anyone else); ``PUT /v1/credit/policy`` sets the
caller's cut-off, referral band and limit formula, validated (422 naming the field).
(No postponed annotations: FastAPI reads the local dependency aliases.)
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from finance_api.body import json_body
from finance_api.lending import decision_keys
from finance_api.lending.decision_desk import DecisionDesk
from finance_api.lending.decision_reads import policy_json, policy_of, read_application, set_policy
from finance_api.routers.credit_service import CreditService, NoModel, from_env
from finance_api.routers.participants import ID_PATTERN, _parse
from ledger.core.access import Caller
from ledger.core.errors import Forbidden
from ledger.http import errors
from ledger.log import Ledger

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MAX_MINOR = 10**15


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


class ReasonOut(BaseModel):
    code: str
    text: str = Field(description="in words, with the applicant's own figure when the scorer "
                      "named one")  # fmt: skip


class CheckpointOut(BaseModel):
    tree_size: int
    root_hash: str


class FraudOut(BaseModel):
    points: int = Field(description="0-1000, kept apart from the credit score")
    reasons: list[str]


class DecisionOut(BaseModel):
    decision_id: str = Field(description="the credit.decision event id")
    seq: int
    application_id: str
    applicant: str
    lender: str
    outcome: Literal["approve", "refer", "decline"]
    limit: MoneyOut | None
    reasons: list[ReasonOut] = Field(description="at most four; for a decline, or a lower "
                                     "limit than asked")  # fmt: skip
    rules: list[str] = Field(description="every rule, in order, with its outcome")
    pd_ppm: int | None
    fraud_points: int | None
    model_version: str | None
    checkpoint: CheckpointOut | None
    reason: str | None
    override_of: str | None
    signed_by: str = Field(description="key id of the lender's key that signed it")
    decided_at: str
    score: int | None = None
    fraud: FraudOut | None = None
    borrowing_base: int | None = Field(
        None, description="secured: advance value of the collateral pledged (minor units)"
    )


class DecisionItem(BaseModel):
    decision_id: str
    seq: int
    outcome: Literal["approve", "refer", "decline"]
    limit: MoneyOut | None
    reasons: list[ReasonOut]
    rules: list[str]
    pd_ppm: int | None
    fraud_points: int | None
    model_version: str | None
    checkpoint: CheckpointOut | None
    reason: str | None
    override_of: str | None
    lender: str
    signed_by: str
    decided_at: str


class ApplicationOut(BaseModel):
    application_id: str
    seq: int
    applicant: str
    lender: str
    product: str
    requested: MoneyOut
    receipt_id: str | None
    decisions: list[DecisionItem] = Field(description="automatic first, then overrides")
    current: DecisionItem | None


class OverrideIn(BaseModel):
    outcome: Literal["approve", "refer", "decline"]
    limit_minor: int | None = Field(None, ge=1, le=MAX_MINOR)
    reason: str = Field(min_length=1, max_length=500, pattern=r"\S")


class PolicyIn(BaseModel):
    fraud_decline: int = Field(700, ge=0, le=1000)
    fraud_refer: int = Field(400, ge=0, le=1000)
    pd_decline_ppm: int = Field(150_000, ge=0, le=1_000_000)
    pd_refer_ppm: int = Field(80_000, ge=0, le=1_000_000)
    limit_cap: int = Field(50_000_000, ge=0, le=MAX_MINOR)
    revenue_share_bp: int = Field(5_000, ge=0, le=100_000)
    limit_step: int = Field(10_000, ge=1, le=MAX_MINOR)
    min_limit: int = Field(100_000, ge=0, le=MAX_MINOR)


class PolicyOut(PolicyIn):
    lender: str


_BODY = {
    "description": 'the applicant\'s signed credit.application, or {"events": [application, '
    "consent.granted]}",
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}
DecisionId = Annotated[str, Path(pattern=UUID_PATTERN, max_length=36)]
ApplicationId = Annotated[str, Path(pattern=ID_PATTERN, max_length=200)]


def desk_of(request: Request) -> DecisionDesk:
    state = request.app.state
    if not hasattr(state, "decisions"):
        state.decisions = DecisionDesk(decision_keys.from_env())
    desk: DecisionDesk = state.decisions
    return desk


def credit_of(request: Request) -> CreditService:
    state = request.app.state
    if not hasattr(state, "credit"):
        state.credit = from_env()
    service: CreditService | None = state.credit
    if service is None:
        raise NoModel("no credit model is loaded in this service", field="payload.applicant")
    return service


def _lender(caller: Caller) -> str:
    if not caller.has_role("lender"):
        raise Forbidden("a lender's key is needed", field="X-API-Key")
    return caller.participant_id


def _policy(ledger: Ledger, lender: str) -> dict[str, Any]:
    with ledger.reading() as connection:
        return policy_json(lender, policy_of(connection, lender))


def build_router(ledger_dep: Callable[..., Any], caller_dep: Callable[..., Caller]) -> APIRouter:
    LedgerDep = Annotated[Ledger, Depends(ledger_dep)]
    CallerDep = Annotated[Caller, Depends(caller_dep)]
    router = APIRouter(prefix="/v1/credit", tags=["credit decisions"])

    @router.post(
        "/applications",
        status_code=201,
        summary="Apply for credit and get the lender's automatic decision at once",
        description="Features, score at the newest checkpoint, live fraud score, the lender's "
        "policy, and a `credit.decision` on the ledger signed with the lender's decision "
        "key. Needs the applicant's consent to the lender (scope `score`), on the ledger or "
        "sent with the application. 200: the same application was decided already.",
        openapi_extra={"requestBody": _BODY},
        response_model=DecisionOut,
        responses=errors(400, 401, 403, 404, 409, 413, 422, 429),
    )
    async def post_application(
        request: Request, ledger: LedgerDep, caller: CallerDep, response: Response
    ) -> dict[str, Any]:
        events, _ = _parse(await json_body(request))
        desk, credit = desk_of(request), credit_of(request)
        body, created = await run_in_threadpool(desk.decide, ledger, credit, caller, events)
        if not created:
            response.status_code = 200
        return body

    @router.get(
        "/applications/{application_id}",
        summary="An application and its decisions, each with its rules",
        description="For the applicant, the lender and auditors; 404 for anyone else.",
        response_model=ApplicationOut,
        responses=errors(401, 404, 422, 429),
    )
    async def get_application(
        ledger: LedgerDep, caller: CallerDep, application_id: ApplicationId
    ) -> dict[str, Any]:
        return await run_in_threadpool(read_application, ledger, caller, application_id)

    @router.post(
        "/decisions/{decision_id}/override",
        status_code=201,
        summary="The lender overrides one of its decisions, with a reason",
        description="Recorded as a `credit.decision` naming the decision it overrides "
        "(`override_of`) and keeping its rules, model and PD. The deciding lender's key only.",
        response_model=DecisionOut,
        responses=errors(401, 403, 404, 409, 413, 422, 429),
    )
    async def post_override(
        request: Request,
        ledger: LedgerDep,
        caller: CallerDep,
        decision_id: DecisionId,
        body: OverrideIn,
    ) -> dict[str, Any]:
        desk = desk_of(request)
        return await run_in_threadpool(desk.override, ledger, caller, decision_id, body.outcome,
                                       body.limit_minor, body.reason)  # fmt: skip

    @router.get(
        "/policy",
        summary="The caller's decision policy (the defaults until it sets one)",
        response_model=PolicyOut,
        responses=errors(401, 403, 429),
    )
    async def get_policy(ledger: LedgerDep, caller: CallerDep) -> dict[str, Any]:
        return await run_in_threadpool(_policy, ledger, _lender(caller))

    @router.put(
        "/policy",
        summary="Set the caller's cut-off, referral band and limit formula",
        description="Fields left out take the defaults. Refer thresholds must not exceed "
        "decline thresholds, nor the minimum limit the cap (422 naming the field).",
        response_model=PolicyOut,
        responses=errors(401, 403, 413, 422, 429),
    )
    async def put_policy(ledger: LedgerDep, caller: CallerDep, body: PolicyIn) -> dict[str, Any]:
        lender = _lender(caller)
        return await run_in_threadpool(set_policy, ledger, lender, body.model_dump(),
                                       ledger.clock.now())  # fmt: skip

    return router
