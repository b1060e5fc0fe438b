"""Anchors over HTTP: where the ledger is anchored, for auditors who trust no operator.

``GET /v1/anchors`` is public, like checkpoints and proofs: every anchor row — the tree
size and root anchored, the chain, contract and transaction, the block it landed in, and
whether it is pending, confirmed or orphaned — so an auditor can look each one up on chain
and check the ledger against it (``threeflow verify --rpc-url``). Rows reveal hashes only.

:func:`build_router` takes the ledger and caller dependencies like every feature router,
so the service mounts it without this feature importing the service. (No postponed
annotations here: FastAPI reads the route's dependency aliases, local to the builder.)
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Self

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from ledger.anchoring.store import AnchorRow, anchors_page
from ledger.core.access import Caller
from ledger.http import errors
from ledger.log import Ledger

MAX_LIMIT = 1000


class AnchorOut(BaseModel):
    """One anchor as the public sees it: hashes in hex, times in ISO 8601."""

    id: int
    ledger_id: str
    tree_size: int
    root_hash: str
    chain_id: int
    contract: str
    tx_hash: str
    nonce: int
    block_number: int | None
    block_hash: str | None
    status: str
    created_at: datetime
    confirmed_at: datetime | None

    @classmethod
    def of(cls, row: AnchorRow) -> Self:
        return cls(
            id=row.id,
            ledger_id=row.ledger_id.hex(),
            tree_size=row.tree_size,
            root_hash=row.root_hash.hex(),
            chain_id=row.chain_id,
            contract=row.contract,
            tx_hash=row.tx_hash.hex(),
            nonce=row.nonce,
            block_number=row.block_number,
            block_hash=None if row.block_hash is None else row.block_hash.hex(),
            status=row.status.value,
            created_at=row.created_at,
            confirmed_at=row.confirmed_at,
        )


class AnchorPage(BaseModel):
    """A page of anchors, oldest first; ``next_after`` is the cursor of the next page."""

    anchors: list[AnchorOut]
    next_after: int | None


def page(ledger: Ledger, after: int | None, limit: int) -> AnchorPage:
    """Up to ``limit`` anchors after the row id ``after``, read in one snapshot."""
    with ledger.reading() as connection:
        rows = anchors_page(connection, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return AnchorPage(
        anchors=[AnchorOut.of(row) for row in rows],
        next_after=rows[-1].id if more else None,
    )


def build_router(ledger_dep: Callable[..., Any], caller_dep: Callable[..., Caller]) -> APIRouter:
    """The anchoring routes; ``caller_dep`` is unused: every route here is public."""
    LedgerDep = Annotated[Ledger, Depends(ledger_dep)]
    router = APIRouter(prefix="/v1", tags=["anchoring"])

    @router.get(
        "/anchors",
        summary="Where the ledger is anchored: every anchor, with its chain and transaction",
        description="Oldest first, at most `limit` per page; pass the page's `next_after` "
        "as `after` for the next one (null on the last page).",
        responses=errors(422),
    )
    async def get_anchors(
        ledger: LedgerDep,
        after: Annotated[
            int | None,
            Query(ge=0, le=2**63 - 1, description="cursor: next_after of the previous page"),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    ) -> AnchorPage:
        return await run_in_threadpool(page, ledger, after, limit)

    return router
