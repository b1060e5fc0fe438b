"""The FastAPI application: routers per audience, one error handler, a checkpoint ticker."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from finance_api import errors
from finance_api.routers import epcis as epcis_router
from finance_api.routers import ledger as ledger_router
from finance_api.routers import trace as trace_router
from ledger.log import Ledger

log = logging.getLogger(__name__)


async def _checkpoint_ticker(ledger: Ledger, every: float) -> None:
    """Cut a checkpoint every T seconds when entries arrived (N entries is checked on append)."""
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(ledger.maybe_checkpoint)
        except Exception:  # a failed tick is logged and retried on the next one
            log.exception("checkpoint tick failed")


def create_app(
    ledger: Ledger,
    *,
    close_ledger: bool = False,
    on_startup: Callable[[Ledger], Callable[[], None] | None] | None = None,
) -> FastAPI:
    """Build the app over ``ledger``; ``on_startup`` may start background work (anchoring)
    and return the function that stops it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ticker = asyncio.create_task(
            _checkpoint_ticker(ledger, min(ledger.policy.every_seconds, 5.0))
        )
        halt = on_startup(ledger) if on_startup is not None else None
        try:
            yield
        finally:
            ticker.cancel()
            if halt is not None:
                halt()
            if close_ledger:
                ledger.close()

    app = FastAPI(
        title="threeflow",
        version="0.1.0",
        description="A verifiable three-flow supply-chain ledger: signed events, RFC 9162 proofs, "
        "signed checkpoints.",
        lifespan=lifespan,
    )
    app.state.ledger = ledger
    errors.install(app)

    @app.get("/health", tags=["ops"])
    async def health() -> dict[str, Any]:
        size = await run_in_threadpool(ledger.size)
        return {"status": "ok", "tree_size": size, "origin": ledger.origin}

    app.include_router(ledger_router.router)
    app.include_router(epcis_router.router)
    app.include_router(trace_router.router)
    return app
