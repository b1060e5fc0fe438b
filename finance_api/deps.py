"""Shared dependencies: the ledger of this app, and the caller behind an API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from finance_api.auth import ADMIN_ROLES, authenticate, require_role
from finance_api.ratelimit import RateLimiter
from ledger.core.access import Caller
from ledger.log import Ledger


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="your API key")


def current_caller(
    request: Request,
    ledger: LedgerDep,
    x_api_key: Annotated[str | None, Security(API_KEY)] = None,
) -> Caller:
    """The caller an API key names, within its rate (a sync dependency: run in a thread)."""
    caller = authenticate(ledger, x_api_key)
    limiter: RateLimiter = request.app.state.limiter
    limiter.take(next(iter(caller.scopes)))
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def admin_caller(caller: CallerDep) -> Caller:
    require_role(caller, ADMIN_ROLES, "administration")
    return caller


AdminDep = Annotated[Caller, Depends(admin_caller)]
