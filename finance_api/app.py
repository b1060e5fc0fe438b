"""The FastAPI application: routers by audience and by feature, one error handler, a ticker.

Routers: ``public`` (health, checkpoints, proofs: hashes only), ``participants`` (append
and read with an API key) and the traceability feature's router, mounted with this app's
ledger and caller dependencies. Bodies are bounded as they stream in (:mod:`body`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import cast

from anyio import to_thread
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from finance_api import errors, offload
from finance_api.body import BodyLimit
from finance_api.deps import current_caller, get_ledger
from finance_api.fastpath import FastPath
from finance_api.groups import Grouped
from finance_api.lending.decision_routes import build_router as decision_router
from finance_api.lending.fraud_routes import build_router as fraud_router
from finance_api.lending.routes import build_router as risk_router
from finance_api.ratelimit import RateLimiter
from finance_api.routers import (
    admin,
    credit,
    participants,
    public,
    receipts,
    receipts_reads,
    receivables,
)
from finance_api.snapshot import REFRESH, Rendered, Snapshot
from ledger.anchoring.routes import build_router as anchoring_router
from ledger.core.access import Caller
from ledger.core.event_types import EventTypeRegistry
from ledger.log import Ledger
from ledger.settings import get_settings
from ledger.traceability.routes import build_router as traceability_router

log = logging.getLogger(__name__)
WORKER_THREADS = 8


async def _refresher(snapshot: Snapshot) -> None:
    """Keep the head snapshot fresh; a failure shows in /health and is retried."""
    while True:
        try:
            await run_in_threadpool(snapshot.refresh)
        except Exception:
            log.warning("cannot refresh the ledger head: %s", snapshot.error)
        await asyncio.sleep(REFRESH)


async def _checkpoint_ticker(ledger: Ledger, every: float) -> None:
    """Cut a checkpoint every T seconds when entries arrived (N entries is checked on append).

    The first tick runs at startup: it also tells this process the newest checkpoint, which
    the answers kept in memory are keyed by (until then every score read the database)."""
    while True:
        try:
            await run_in_threadpool(ledger.maybe_checkpoint)
        except Exception:  # a failed tick is logged and retried on the next one
            log.exception("checkpoint tick failed")
        await asyncio.sleep(every)


_DESCRIPTION = (
    "A verifiable three-flow supply-chain ledger: signed events, RFC 9162 proofs, signed "
    "checkpoints. Send your API key as `X-API-Key`. Every 4xx answers "
    "`{error, detail, field}`. Proofs, checkpoints, the ledger's key and the event-type "
    "catalogue are public; entries are visible to their actor and subjects, to a grantee "
    "while the participant's consent is in force, and to auditors.\n\n"
)


def catalogue_markdown(registry: EventTypeRegistry) -> str:
    """The event types as a table for the docs page (schemas: ``GET /v1/event-types``)."""
    rows = ["## Event types", "", "| type | flow | who writes it | who must confirm it |",
            "|---|---|---|---|"]  # fmt: skip
    for entry in registry.catalogue():
        confirmation = entry["confirmation"]
        rows.append(
            f"| `{entry['type']}` | {entry['flow']} | {entry['authority']['rule']} | "
            f"{confirmation['rule'] if confirmation else '—'} |"
        )
    return "\n".join(rows)


def create_app(
    ledger: Ledger,
    *,
    close_ledger: bool = False,
    on_startup: Callable[[Ledger], Callable[[], None] | None] | None = None,
    limiter: RateLimiter | None = None,
) -> FastAPI:
    """Build the app over ``ledger``; ``on_startup`` may start background work (anchoring)
    and return the function that stops it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A few worker threads serve the blocking work better than anyio's default 40:
        # the database calls hold the GIL between their C parts, and 40 threads taking
        # turns at it spend more time switching than working.
        to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        ticker = asyncio.create_task(
            _checkpoint_ticker(ledger, min(ledger.policy.every_seconds, 5.0))
        )
        refresher = asyncio.create_task(_refresher(app.state.snapshot))
        halt = on_startup(ledger) if on_startup is not None else None
        try:
            yield
        finally:
            ticker.cancel()
            refresher.cancel()
            if halt is not None:
                halt()
            if close_ledger:
                ledger.close()

    app = FastAPIOffline(  # the docs page's scripts are served from here: no CDN
        title="threeflow",
        version="0.1.0",
        description=_DESCRIPTION + catalogue_markdown(ledger.registry),
        lifespan=lifespan,
    )
    app.state.ledger = ledger
    with ledger.reading() as connection:  # the quick pool is sized for the database
        offload.use_database(connection.dialect.name)
    app.state.snapshot = Snapshot(ledger)
    app.state.proofs = Rendered()
    app.state.proof_groups = Grouped(functools.partial(public.proofs_json, ledger))
    settings = get_settings()
    app.state.limiter = limiter or RateLimiter(settings.rate_per_second, settings.rate_burst)
    app.add_middleware(FastPath)  # inside the body limit: bodies bounded as for every route
    app.add_middleware(BodyLimit)
    errors.install(app)
    app.include_router(public.router)
    app.include_router(participants.router)
    app.include_router(admin.router)
    # The feature routers type the dependency by what it yields; FastAPI awaits it.
    caller = cast("Callable[..., Caller]", current_caller)
    app.include_router(decision_router(get_ledger, caller))  # before /credit/{id}
    app.include_router(credit.router)
    app.include_router(receipts.router)  # warehouse-receipt financing: acts by audience
    app.include_router(receipts_reads.router)
    app.include_router(receivables.router)  # factoring and advance payment
    app.include_router(traceability_router(get_ledger, caller))
    app.include_router(anchoring_router(get_ledger, caller))
    app.include_router(risk_router(get_ledger, caller))
    app.include_router(fraud_router(get_ledger, caller))
    return app
