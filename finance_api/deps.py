"""Shared dependencies: the ledger of this app, and the caller behind an API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from finance_api.auth import authenticate
from ledger.core.access import Caller
from ledger.log import Ledger


def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def current_caller(
    ledger: LedgerDep, x_api_key: Annotated[str | None, Header(alias="X-API-Key")] = None
) -> Caller:
    """The caller an API key names (a sync dependency: FastAPI runs it in a thread)."""
    return authenticate(ledger, x_api_key)


CallerDep = Annotated[Caller, Depends(current_caller)]
