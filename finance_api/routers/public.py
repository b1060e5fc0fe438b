"""What anyone may read without a key: health, the ledger's key, checkpoints, proofs, types.

Proofs and checkpoints reveal hashes only, never entries, which is what lets an auditor
check inclusion and consistency without seeing anybody's data. Proofs default to the tree
of the latest signed checkpoint, the one a verifier can check against the pinned key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response

from finance_api.deps import LedgerDep
from finance_api.groups import Grouped
from finance_api.offload import offload, quick
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
from finance_api.snapshot import Head, Rendered, Snapshot, checkpoint_json
from ledger.core.checkpoint import SignedCheckpoint, verifier_key
from ledger.core.errors import LedgerError, NotFound
from ledger.log import Ledger
from ledger.proofs import Ask

router = APIRouter(tags=["public"])


def _checkpoint(signed: SignedCheckpoint) -> dict[str, Any]:
    return checkpoint_json(signed)


@router.get(
    "/health",
    summary="Liveness, and the ledger's size as of the last refresh (at most half a second old)",
    response_model=Health,
    responses={503: {"model": Health, "description": "the database cannot be read"}},
)
async def health(request: Request, response: Response) -> dict[str, Any]:
    # no dependencies to solve: this is the route load balancers poll hardest
    ledger: Ledger = request.app.state.ledger
    snapshot: Snapshot = request.app.state.snapshot
    head = snapshot.head
    if head is None:
        try:
            head = await quick(snapshot.refresh)
        except Exception:
            head = None
    if head is None or not snapshot.healthy():
        response.status_code = 503
        size = head.tree_size if head is not None else 0
        return {"status": "degraded", "tree_size": size, "origin": ledger.origin}
    size = max(head.tree_size, ledger.known_sizes()[0])  # appends of this process count now
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
async def latest_checkpoint(request: Request) -> Response:
    # no dependencies to solve, and the bytes serialised once per refresh (they match the
    # model: the snapshot holds exactly its fields)
    snapshot: Snapshot = request.app.state.snapshot
    head = fresh_head(snapshot)
    if head is None:  # none yet, or one was cut since the refresh
        head = await quick(snapshot.refresh)
    if head.body is None:
        raise NotFound("no checkpoint has been cut yet")
    return _json(head.body)


def _json(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def fresh_head(snapshot: Snapshot) -> Head | None:
    """The snapshot's head when it holds the newest checkpoint this process knows of."""
    head = snapshot.head
    if head is None or head.checkpoint is None:
        return None
    if snapshot.ledger.known_sizes()[1] > _size_of(head.checkpoint):
        return None
    return head


@router.get(
    "/v1/checkpoints/{tree_size}",
    summary="The checkpoint signed at exactly this tree size",
    response_model=CheckpointOut,
    responses=errors(404, 422),
)
async def checkpoint_at(
    ledger: LedgerDep, tree_size: Annotated[int, Path(ge=0, le=MAX_SEQ)]
) -> dict[str, Any]:
    return _checkpoint(await offload(ledger.checkpoint_at, tree_size))


def _size_of(checkpoint: dict[str, Any] | None) -> int:
    return int(checkpoint["tree_size"]) if checkpoint is not None else 0


def _signed_size(snapshot: Snapshot, tree_size: int | None) -> int:
    """The size asked for, or the latest signed checkpoint's (from the snapshot)."""
    if tree_size is not None:
        return tree_size
    head = fresh_head(snapshot) or snapshot.refresh()
    if head.checkpoint is None:
        raise NotFound("no checkpoint has been cut yet: pass tree_size", field="tree_size")
    return int(head.checkpoint["tree_size"])


def _known_size(snapshot: Snapshot, tree_size: int | None) -> int | None:
    """The tree a proof is asked in, when known without reading the database."""
    if tree_size is not None:
        return tree_size
    head = fresh_head(snapshot)
    return None if head is None else _size_of(head.checkpoint)


async def proof_json(state: Any, kind: str, a: int, b: int | None) -> bytes:
    """A proof from the cache of those already served, or made in a worker thread.

    Only proofs the ledger produced are kept, keyed by the tree they are in: a refused
    request (out of range, no checkpoint) is asked again, and refused again, every time.
    A proof whose tree is known here is made with the others waiting at the same moment,
    from one read (:func:`proofs_json`).
    """
    ledger: Ledger = state.ledger
    snapshot: Snapshot = state.snapshot
    rendered: Rendered = state.proofs
    size = _known_size(snapshot, b)
    if size is not None and (hit := rendered.get((kind, a, size))) is not None:
        return hit
    if size:  # the tree is known: made with the proofs asked at the same moment
        grouped: Grouped[Ask, bytes] = state.proof_groups
        ask: Ask = ("inclusion" if kind == "inclusion" else "consistency", a, size)
        body = await grouped.ask(ask)
        rendered.put((kind, a, size), body)
        return body

    def prove() -> tuple[int, bytes]:
        second = _signed_size(snapshot, b)
        if kind == "inclusion":
            proof: dict[str, Any] = ledger.inclusion_proof(a, second).to_json()
        else:
            proof = ledger.consistency_proof(a, second).to_json()
        return second, orjson.dumps(proof)

    second, body = await quick(prove)
    rendered.put((kind, a, second), body)
    return body


def proofs_json(ledger: Ledger, asks: Sequence[Ask]) -> list[bytes | Exception]:
    """The bodies of many proofs made from one read, each as :func:`proof_json` sends it
    (a refusal as the error it raises alone)."""
    return [
        answer if isinstance(answer, LedgerError) else orjson.dumps(answer.to_json())
        for answer in ledger.proofs.many(asks)
    ]


@router.get(
    "/v1/proofs/inclusion",
    summary="RFC 9162 inclusion proof (default: in the latest signed checkpoint's tree)",
    response_model=InclusionOut,
    responses=errors(404, 422),
)
async def inclusion(
    request: Request,
    seq: Annotated[int, Query(ge=0, le=MAX_SEQ)],
    tree_size: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> Response:
    return _json(await proof_json(request.app.state, "inclusion", seq, tree_size))


@router.get(
    "/v1/proofs/consistency",
    summary="RFC 9162 consistency proof (second defaults to the latest signed checkpoint)",
    response_model=ConsistencyOut,
    responses=errors(404, 422),
)
async def consistency(
    request: Request,
    first: Annotated[int, Query(ge=1, le=MAX_SEQ)],
    second: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> Response:
    return _json(await proof_json(request.app.state, "consistency", first, second))


@router.get(
    "/v1/event-types",
    summary="Every event type: payload schema, who may write it, who must confirm it",
    response_model=list[EventTypeOut],
)
async def event_types(ledger: LedgerDep) -> list[dict[str, Any]]:
    return ledger.registry.catalogue()
