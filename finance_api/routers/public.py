"""What anyone may read without a key: health, signed checkpoints and Merkle proofs.

Proofs and checkpoints reveal hashes only, never entries, which is what lets an auditor
check inclusion and consistency without seeing anybody's data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from finance_api.deps import LedgerDep

router = APIRouter(tags=["public"])


@router.get("/health", summary="Liveness and the ledger's size")
async def health(ledger: LedgerDep) -> dict[str, Any]:
    size = await run_in_threadpool(ledger.size)
    return {"status": "ok", "tree_size": size, "origin": ledger.origin}


@router.get("/v1/checkpoints/latest", summary="The latest signed checkpoint")
async def latest_checkpoint(ledger: LedgerDep) -> dict[str, Any]:
    signed = await run_in_threadpool(ledger.latest_checkpoint)
    cp = signed.checkpoint
    return {
        "origin": cp.origin,
        "tree_size": cp.tree_size,
        "root_hash": cp.root_hash.hex(),
        "timestamp": cp.timestamp,
        "note": signed.note,
    }


@router.get("/v1/proofs/inclusion", summary="RFC 9162 inclusion proof")
async def inclusion(
    ledger: LedgerDep,
    seq: Annotated[int, Query(ge=0)],
    tree_size: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    return (await run_in_threadpool(ledger.inclusion_proof, seq, tree_size)).to_json()


@router.get("/v1/proofs/consistency", summary="RFC 9162 consistency proof")
async def consistency(
    ledger: LedgerDep,
    first: Annotated[int, Query(ge=1)],
    second: Annotated[int, Query(ge=1)],
) -> dict[str, Any]:
    return (await run_in_threadpool(ledger.consistency_proof, first, second)).to_json()
