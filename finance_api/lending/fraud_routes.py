"""Fraud at login over HTTP: ``POST /v1/fraud/logins``.

The platform posts the ``account.login`` it observed (signed with its key: IP country,
card billing country, device time zone and clock offset, proxy, device id). The login is
appended, counted by the ``lending.fraud`` projection in the same unit of work, and the
answer is this login's own signals and the account's fraud score after it (0-1000 points,
the reasons largest first, the points per signal). That is the score the next credit
application is judged with: the fraud knock-out declines at the lender's ``fraud_decline``
and refers at ``fraud_refer`` (:mod:`.rules.policy`), before any credit score is read.
Only a key with role ``platform`` posts logins (the event type's authority).
(No postponed annotations: FastAPI reads the local dependency aliases.)
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from finance_api.body import json_body
from finance_api.lending.fraud_live import (
    fraud_for,
    home_offset,
    registered_country,
    shared_accounts,
)
from finance_api.lending.rules.login import login_signals
from ledger.core.access import Caller
from ledger.core.errors import Forbidden, InvalidEvent
from ledger.core.events import Event
from ledger.http import errors
from ledger.log import Ledger

_BODY = {
    "description": "the platform's signed account.login",
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}


class LoginFraudOut(BaseModel):
    seq: int = Field(description="the account.login entry")
    account: str
    login_signals: list[str] = Field(description="what this login showed")
    points: int = Field(description="the account's fraud score after it, 0-1000")
    reasons: list[str] = Field(description="signals that added points, largest first")
    signals: dict[str, int] = Field(description="points per signal")


def score_login(ledger: Ledger, event: Event) -> dict[str, Any]:
    entry = ledger.append(event)
    account = str(event.payload["account"])
    with ledger.reading() as connection:
        registered = registered_country(connection, account)
        seen = login_signals(event.payload, registered, home_offset(connection, registered),
                             shared_accounts(connection, account))  # fmt: skip
        fraud = fraud_for(connection, account, "", ledger.clock.now())
    return {"seq": entry.seq, "account": account, "login_signals": seen, "points": fraud.points,
            "reasons": list(fraud.reasons), "signals": dict(fraud.signals),
            "replayed": entry.replayed}  # fmt: skip


def build_router(ledger_dep: Callable[..., Any], caller_dep: Callable[..., Caller]) -> APIRouter:
    LedgerDep = Annotated[Ledger, Depends(ledger_dep)]
    CallerDep = Annotated[Caller, Depends(caller_dep)]
    router = APIRouter(prefix="/v1/fraud", tags=["credit decisions"])

    @router.post(
        "/logins",
        status_code=201,
        summary="Record a login the platform observed; answer its fraud signals and score",
        openapi_extra={"requestBody": _BODY},
        response_model=LoginFraudOut,
        responses=errors(400, 401, 403, 409, 413, 422, 429),
    )
    async def post_login(
        request: Request, ledger: LedgerDep, caller: CallerDep, response: Response
    ) -> dict[str, Any]:
        event = Event.from_json(await json_body(request))
        if event.type != "account.login":
            raise InvalidEvent("must be an account.login", field="type")
        if event.actor != caller.participant_id:
            raise Forbidden(f"the API key belongs to {caller.participant_id!r}, not to the "
                            f"actor {event.actor!r}", field="actor")  # fmt: skip
        if not caller.has_role("platform"):
            raise Forbidden("only the platform records logins", field="X-API-Key")
        body = await run_in_threadpool(score_login, ledger, event)
        if body.pop("replayed"):
            response.status_code = 200  # the same login sent again: counted once
        return body

    return router
