"""The one proof service: inclusion and consistency proofs read from the stored tree.

Used by the HTTP API, traces, the CLI and anchoring alike. Each request plans every node
it needs (path, leaf, roots) with the pure planner in :mod:`ledger.core.merkle.proof`, as
plain ``(level, index)`` ints, takes the upper levels from a :class:`NodeCache` (complete
subtrees never change) and reads the rest with the head's size in one query; a batch of
inclusion proofs (a trace) shares one read, and so do requests answered together
(:meth:`ProofService.many`, the HTTP server's group read).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import Connection, Engine

from ledger.core.errors import InvalidEvent, LedgerError
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
from ledger.storage.nodes import READ_KEYS, DriverCursor, KeptReads, SqlNodeReader
from ledger.storage.reads import tree_size

Proof = InclusionProof | ConsistencyProof
# ("inclusion", seq, tree size) or ("consistency", first, second)
Ask = tuple[Literal["inclusion", "consistency"], int, int]
T = TypeVar("T", InclusionProof, ConsistencyProof)


def _check_size(size: int, current: int, field: str) -> None:
    if not 0 < size <= current:
        raise InvalidEvent(f"must be in [1, {current}]", field=field)


@dataclass(frozen=True, slots=True)
class _Planned(Generic[T]):
    """A planned proof: the nodes it reads, and how it is made from them (or refused, when
    the head read with them is smaller than its tree)."""

    keys: list[Key]
    finish: Callable[[int, dict[Key, bytes]], T]


class ProofService:
    def __init__(
        self, engine: Engine, cache: NodeCache | None = None, *, reads: KeptReads | None = None
    ) -> None:
        """``reads``: the connections kept for one-statement reads, when their owner (the
        ledger) shares them; else this service keeps its own, given back by :meth:`close`."""
        self._engine = engine
        self._own_reads = reads is None
        self.reads = KeptReads(engine) if reads is None else reads
        self.cache = NodeCache() if cache is None else cache

    def close(self) -> None:
        """Give the connections this service kept for itself back to the pool."""
        if self._own_reads:
            self.reads.close()

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
        with self.reads.cursor() as connection:
            if size is None:
                size = connection.tree_size()
            planned = self._inclusion_plan(connection, seq, size)
            current, found = self._read(SqlNodeReader(connection), planned.keys)
            return planned.finish(current, found)

    def consistency(self, first: int, second: int) -> ConsistencyProof:
        """Proof that the tree of ``first`` leaves is a prefix of the tree of ``second``."""
        with self.reads.cursor() as connection:
            planned = self._consistency_plan(connection, first, second)
            current, found = self._read(SqlNodeReader(connection), planned.keys)
            return planned.finish(current, found)

    def many(self, asks: Sequence[Ask]) -> list[Proof | LedgerError]:
        """The answers to many proof requests, each exactly what :meth:`inclusion` or
        :meth:`consistency` gives it (a refusal as the error it would raise), from one read.

        A server answering many requests at once pays one round trip and one statement for
        all of them instead of one each (a group read, as a group commit is for writes):
        on a database server the statement, not the planning, is most of a proof's cost.
        Their keys are read together, with the head's size, in as few statements as the
        parameter limit allows (one for a few dozen proofs).
        """
        answers: dict[int, Proof | LedgerError] = {}
        with self.reads.cursor() as connection:
            groups: list[list[tuple[int, _Planned[Any]]]] = [[]]
            keys = 0
            for position, (kind, a, b) in enumerate(asks):
                try:
                    if kind == "inclusion":
                        planned: _Planned[Any] = self._inclusion_plan(connection, a, b)
                    else:
                        planned = self._consistency_plan(connection, a, b)
                except LedgerError as refused:
                    answers[position] = refused
                    continue
                if keys + len(planned.keys) > READ_KEYS and groups[-1]:
                    groups.append([])
                    keys = 0
                groups[-1].append((position, planned))
                keys += len(planned.keys)
            reader = SqlNodeReader(connection)
            for group in groups:
                if not group:
                    continue
                wanted = list(dict.fromkeys(key for _, planned in group for key in planned.keys))
                current, found = self._read(reader, wanted)
                for position, planned in group:
                    try:
                        answers[position] = planned.finish(current, found)
                    except LedgerError as refused:
                        answers[position] = refused
        return [answers[position] for position in range(len(asks))]

    def _inclusion_plan(
        self, connection: DriverCursor, seq: int, size: int
    ) -> _Planned[InclusionProof]:
        """What an inclusion proof reads, and how it is made from what was read; a request
        with nothing to plan is refused here (the size first, then ``seq``)."""
        if not 0 <= seq < size:
            _check_size(size, connection.tree_size(), "tree_size")
            raise InvalidEvent(f"seq must be in [0, {size})", field="seq")
        plan = inclusion_keys(seq, size)
        root = self.cache.root(size)
        edge = root_keys(size) if root is None else []
        leaf = (0, seq)

        def finish(current: int, found: dict[Key, bytes]) -> InclusionProof:
            _check_size(size, current, "tree_size")
            path = plan.rehash(pick(plan.keys, found))
            [leaf_hash] = pick([leaf], found)
            made = root
            if made is None:
                made = self.cache.keep_root(size, fold_right(pick(edge, found)))
            return InclusionProof(seq, size, leaf_hash, path, made)

        return _Planned([*plan.keys, leaf, *edge], finish)

    def _consistency_plan(
        self, connection: DriverCursor, first: int, second: int
    ) -> _Planned[ConsistencyProof]:
        """What a consistency proof reads, and how it is made (refused here when there is
        nothing to plan: the size, then ``first``)."""
        if not 0 < first <= second:
            _check_size(second, connection.tree_size(), "second")
            raise InvalidEvent("need 0 < first <= second", field="first")
        plan = consistency_keys(first, second)
        first_root, second_root = self.cache.root(first), self.cache.root(second)
        first_edge = root_keys(first) if first_root is None else []
        second_edge = root_keys(second) if second_root is None else []

        def finish(current: int, found: dict[Key, bytes]) -> ConsistencyProof:
            _check_size(second, current, "second")
            proof = plan.rehash(pick(plan.keys, found))
            old, new = first_root, second_root
            if old is None:
                old = self.cache.keep_root(first, fold_right(pick(first_edge, found)))
            if new is None:
                new = self.cache.keep_root(second, fold_right(pick(second_edge, found)))
            return ConsistencyProof(first, second, old, new, proof)

        return _Planned([*plan.keys, *first_edge, *second_edge], finish)

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
