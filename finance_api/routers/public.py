"""What anyone may read without a key: health, the ledger's key, checkpoints, proofs, types.

Proofs and checkpoints reveal hashes only, never entries, which is what lets an auditor
check inclusion and consistency without seeing anybody's data. Proofs default to the tree
of the latest signed checkpoint, the one a verifier can check against the pinned key.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from finance_api.deps import LedgerDep
from finance_api.params import MAX_SEQ
from finance_api.schemas import (
    CheckpointOut,
    ConsistencyOut,
    EventTypeOut,
    Health,
    InclusionOut,
    LedgerKeyOut,
    errors,
)
from ledger.core.checkpoint import SignedCheckpoint, verifier_key
from ledger.log import Ledger

router = APIRouter(tags=["public"])


def _checkpoint(signed: SignedCheckpoint) -> dict[str, Any]:
    cp = signed.checkpoint
    return {
        "origin": cp.origin,
        "tree_size": cp.tree_size,
        "root_hash": cp.root_hash.hex(),
        "timestamp": cp.timestamp,
        "note": signed.note,
    }


@router.get("/health", summary="Liveness and the ledger's size", response_model=Health)
async def health(ledger: LedgerDep) -> dict[str, Any]:
    size = await run_in_threadpool(ledger.size)
    return {"status": "ok", "tree_size": size, "origin": ledger.origin}


@router.get(
    "/v1/ledger/key",
    summary="The ledger's public key: pin it to verify checkpoints, bundles and traces",
    response_model=LedgerKeyOut,
)
async def ledger_key(ledger: LedgerDep) -> dict[str, Any]:
    return {
        "origin": ledger.origin,
        "public_key": ledger.public_key.hex(),
        "verifier_key": verifier_key(ledger.origin, ledger.public_key),
    }


@router.get(
    "/v1/checkpoints/latest",
    summary="The latest signed checkpoint",
    response_model=CheckpointOut,
    responses=errors(404),
)
async def latest_checkpoint(ledger: LedgerDep) -> dict[str, Any]:
    return _checkpoint(await run_in_threadpool(ledger.latest_checkpoint))


@router.get(
    "/v1/checkpoints/{tree_size}",
    summary="The checkpoint signed at exactly this tree size",
    response_model=CheckpointOut,
    responses=errors(404, 422),
)
async def checkpoint_at(
    ledger: LedgerDep, tree_size: Annotated[int, Path(ge=0, le=MAX_SEQ)]
) -> dict[str, Any]:
    return _checkpoint(await run_in_threadpool(ledger.checkpoint_at, tree_size))


def _signed_size(ledger: Ledger, tree_size: int | None) -> int:
    return tree_size if tree_size is not None else ledger.latest_checkpoint().checkpoint.tree_size


@router.get(
    "/v1/proofs/inclusion",
    summary="RFC 9162 inclusion proof (default: in the latest signed checkpoint's tree)",
    response_model=InclusionOut,
    responses=errors(404, 422),
)
async def inclusion(
    ledger: LedgerDep,
    seq: Annotated[int, Query(ge=0, le=MAX_SEQ)],
    tree_size: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> dict[str, Any]:
    def prove() -> dict[str, Any]:
        return ledger.inclusion_proof(seq, _signed_size(ledger, tree_size)).to_json()

    return await run_in_threadpool(prove)


@router.get(
    "/v1/proofs/consistency",
    summary="RFC 9162 consistency proof (second defaults to the latest signed checkpoint)",
    response_model=ConsistencyOut,
    responses=errors(404, 422),
)
async def consistency(
    ledger: LedgerDep,
    first: Annotated[int, Query(ge=1, le=MAX_SEQ)],
    second: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> dict[str, Any]:
    def prove() -> dict[str, Any]:
        return ledger.consistency_proof(first, _signed_size(ledger, second)).to_json()

    return await run_in_threadpool(prove)


@router.get(
    "/v1/event-types",
    summary="Every event type: payload schema, who may write it, who must confirm it",
    response_model=list[EventTypeOut],
)
async def event_types(ledger: LedgerDep) -> list[dict[str, Any]]:
    return ledger.registry.catalogue()
