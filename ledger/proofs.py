"""The one proof service: inclusion and consistency proofs read from the stored tree.

Used by the HTTP API, traces, the CLI and anchoring alike. Each request plans every node
it needs (path, leaf, roots) with the pure planner in :mod:`ledger.core.merkle.proof`, then
reads them in one query; a batch of inclusion proofs (a trace) shares one read.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine

from ledger.core.errors import InvalidEvent
from ledger.core.merkle.nodes import NodeId
from ledger.core.merkle.proof import (
    consistency_plan,
    consistency_proof,
    fetch,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_plan,
)
from ledger.core.proofs import ConsistencyProof, InclusionProof
from ledger.storage.nodes import DriverReads, PrefetchedNodes, SqlNodeReader
from ledger.storage.reads import tree_size


def _check_size(size: int, current: int, field: str) -> None:
    if not 0 < size <= current:
        raise InvalidEvent(f"must be in [1, {current}]", field=field)


class ProofService:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._driver = DriverReads(engine)

    def inclusion(self, seq: int, size: int | None = None) -> InclusionProof:
        """Proof that entry ``seq`` is in the tree of ``size`` leaves (default: the head)."""
        with self._driver.cursor() as connection:
            current = connection.tree_size()
            size = current if size is None else size
            _check_size(size, current, "tree_size")
            if not 0 <= seq < size:
                raise InvalidEvent(f"seq must be in [0, {size})", field="seq")
            leaf = NodeId(0, seq)
            reader = PrefetchedNodes(
                SqlNodeReader(connection), [*inclusion_plan(seq, size).ids, leaf, *root_plan(size)]
            )
            path = inclusion_proof(seq, size, reader)
            leaf_hash = reader.get_nodes([leaf])[leaf]
            root = root_at(size, reader)
        return InclusionProof(seq, size, leaf_hash, path, root)

    def consistency(self, first: int, second: int) -> ConsistencyProof:
        """Proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
        with self._driver.cursor() as connection:
            _check_size(second, connection.tree_size(), "second")
            if not 0 < first <= second:
                raise InvalidEvent("need 0 < first <= second", field="first")
            reader = PrefetchedNodes(
                SqlNodeReader(connection),
                [*consistency_plan(first, second).ids, *root_plan(first), *root_plan(second)],
            )
            proof = consistency_proof(first, second, reader)
            first_root, second_root = root_at(first, reader), root_at(second, reader)
        return ConsistencyProof(first, second, first_root, second_root, proof)

    def root(self, size: int, connection: Connection | None = None) -> bytes:
        """The root of the stored tree of ``size`` leaves."""
        if connection is not None:
            return root_at(size, SqlNodeReader(connection))
        with self._engine.begin() as own:
            return root_at(size, SqlNodeReader(own))

    def audit_paths(self, seqs: Sequence[int], size: int) -> dict[int, list[bytes]]:
        """Inclusion paths of many entries in the tree of ``size``, from one read of nodes."""
        plans = {s: inclusion_plan(s, size) for s in seqs}
        wanted = list({node for plan in plans.values() for node in plan.ids})
        with self._engine.begin() as connection:
            _check_size(size, tree_size(connection), "tree_size")
            hashes = dict(zip(wanted, fetch(wanted, SqlNodeReader(connection)), strict=True))
        return {s: plan.rehash([hashes[n] for n in plan.ids]) for s, plan in plans.items()}
