"""Shared dependencies: the ledger of this app, and the caller behind an API key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from finance_api.auth import ADMIN_ROLES, KeyCache, require_role
from finance_api.groups import Grouped
from finance_api.ratelimit import RateLimiter
from ledger.core.access import Caller
from ledger.log import Ledger


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


# (secret, caller) of a key this request's fast path (finance_api.fastpath) already checked
SCOPE_CALLER = "threeflow.caller"
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="your API key")


def key_cache(request: Request, ledger: Ledger) -> KeyCache:
    """This app's cache of known keys, for ``ledger`` (a new one if the ledger was swapped)."""
    state = request.app.state
    keys: KeyCache | None = getattr(state, "keys", None)
    if keys is None or keys.ledger is not ledger:
        keys = state.keys = KeyCache(ledger)
    return keys


def key_checks(state: Any, keys: KeyCache) -> Grouped[str | None, Caller]:
    """The keys of requests waiting at one moment checked together: their revocation reads
    in one statement (:meth:`KeyCache.authenticate_many`), one round trip for the group."""
    held: tuple[KeyCache, Grouped[str | None, Caller]] | None = getattr(state, "key_checks", None)
    if held is None or held[0] is not keys:
        held = state.key_checks = (keys, Grouped(keys.authenticate_many))
    return held[1]


async def current_caller(
    request: Request,
    ledger: LedgerDep,
    x_api_key: Annotated[str | None, Security(API_KEY)] = None,
) -> Caller:
    """The caller an API key names, within its rate: the key is checked in a quick thread,
    with the keys of other requests waiting meanwhile (it reads the database), the rate
    on the loop (memory only)."""
    checked = request.scope.get(SCOPE_CALLER)
    if checked is not None and checked[0] == x_api_key:
        caller: Caller = checked[1]  # checked a moment ago, in this very request
    else:
        keys = key_cache(request, ledger)
        caller = await key_checks(request.app.state, keys).ask(x_api_key)
    limiter: RateLimiter = request.app.state.limiter
    limiter.take_for(caller)
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def admin_caller(caller: CallerDep) -> Caller:
    require_role(caller, ADMIN_ROLES, "administration")
    return caller


AdminDep = Annotated[Caller, Depends(admin_caller)]
