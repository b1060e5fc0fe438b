"""The one proof service: inclusion and consistency proofs read from the stored tree.

Used by the HTTP API, traces, the CLI and anchoring alike. Each request plans every node
it needs (path, leaf, roots) with the pure planner in :mod:`ledger.core.merkle.proof`, as
plain ``(level, index)`` ints, takes the upper levels from a :class:`NodeCache` (complete
subtrees never change) and reads the rest with the head's size in one query; a batch of
inclusion proofs (a trace) shares one read.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine

from ledger.core.errors import InvalidEvent
from ledger.core.merkle.cache import NodeCache
from ledger.core.merkle.proof import (
    Key,
    consistency_keys,
    fold_right,
    inclusion_keys,
    pick,
    root_at,
    root_keys,
)
from ledger.core.proofs import ConsistencyProof, InclusionProof
from ledger.storage.nodes import KeptReads, SqlNodeReader
from ledger.storage.reads import tree_size


def _check_size(size: int, current: int, field: str) -> None:
    if not 0 < size <= current:
        raise InvalidEvent(f"must be in [1, {current}]", field=field)


class ProofService:
    def __init__(self, engine: Engine, cache: NodeCache | None = None) -> None:
        self._engine = engine
        self._driver = KeptReads(engine)
        self.cache = NodeCache() if cache is None else cache

    def close(self) -> None:
        """Give the connections kept for proofs back to the pool."""
        self._driver.close()

    def _read(self, reader: SqlNodeReader, keys: list[Key]) -> tuple[int, dict[Key, bytes]]:
        """The head's size and the hashes of ``keys``: cached ones from memory, the rest
        with the size in one query."""
        held, missing = self.cache.split(keys)
        size, found = reader.read_with_head(missing)
        assert size is not None  # read_with_head refuses a ledger without a head
        self.cache.keep(found.items())
        held.update(found)
        return size, held

    def inclusion(self, seq: int, size: int | None = None) -> InclusionProof:
        """Proof that entry ``seq`` is in the tree of ``size`` leaves (default: the head)."""
        with self._driver.cursor() as connection:
            reader = SqlNodeReader(connection)
            if size is None:
                size = connection.tree_size()
            if not 0 <= seq < size:  # nothing to plan: the size (then seq) is refused
                _check_size(size, connection.tree_size(), "tree_size")
                raise InvalidEvent(f"seq must be in [0, {size})", field="seq")
            plan = inclusion_keys(seq, size)
            root = self.cache.root(size)
            edge = root_keys(size) if root is None else []
            leaf = (0, seq)
            current, found = self._read(reader, [*plan.keys, leaf, *edge])
            _check_size(size, current, "tree_size")
            path = plan.rehash(pick(plan.keys, found))
            [leaf_hash] = pick([leaf], found)
            if root is None:
                root = self.cache.keep_root(size, fold_right(pick(edge, found)))
        return InclusionProof(seq, size, leaf_hash, path, root)

    def consistency(self, first: int, second: int) -> ConsistencyProof:
        """Proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
        with self._driver.cursor() as connection:
            reader = SqlNodeReader(connection)
            if not 0 < first <= second:  # nothing to plan: the size (then first) is refused
                _check_size(second, connection.tree_size(), "second")
                raise InvalidEvent("need 0 < first <= second", field="first")
            plan = consistency_keys(first, second)
            first_root, second_root = self.cache.root(first), self.cache.root(second)
            first_edge = root_keys(first) if first_root is None else []
            second_edge = root_keys(second) if second_root is None else []
            current, found = self._read(reader, [*plan.keys, *first_edge, *second_edge])
            _check_size(second, current, "second")
            proof = plan.rehash(pick(plan.keys, found))
            if first_root is None:
                first_root = self.cache.keep_root(first, fold_right(pick(first_edge, found)))
            if second_root is None:
                second_root = self.cache.keep_root(second, fold_right(pick(second_edge, found)))
        return ConsistencyProof(first, second, first_root, second_root, proof)

    def root(self, size: int, connection: Connection | None = None) -> bytes:
        """The root of the stored tree of ``size`` leaves."""
        if connection is not None:
            return root_at(size, SqlNodeReader(connection))
        with self._engine.begin() as own:
            return root_at(size, SqlNodeReader(own))

    def audit_paths(self, seqs: Sequence[int], size: int) -> dict[int, list[bytes]]:
        """Inclusion paths of many entries in the tree of ``size``, from one read of nodes."""
        plans = {s: inclusion_keys(s, size) for s in seqs}
        wanted = list({key for plan in plans.values() for key in plan.keys})
        with self._engine.begin() as connection:
            _check_size(size, tree_size(connection), "tree_size")
            held, missing = self.cache.split(wanted)
            found = SqlNodeReader(connection).read(missing)
        self.cache.keep(found.items())
        held.update(found)
        return {s: plan.rehash(pick(plan.keys, held)) for s, plan in plans.items()}
