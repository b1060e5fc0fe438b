"""Proof planning: what is fetched, how the ephemeral node is rebuilt, and bad sizes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pytest

from ledger.core.errors import ProofError
from ledger.core.hashing import EMPTY_ROOT, leaf_hash, node_hash
from ledger.core.merkle import (
    MemoryNodes,
    NodeId,
    NodeReader,
    ProofPlan,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_plan,
)
from tests.merkle.conftest import build_store

ProofOf = Callable[[int, int, NodeReader], list[bytes]]
LEAVES = [leaf_hash(b"%d" % i) for i in range(16)]


class CountingReader:
    def __init__(self, store: MemoryNodes) -> None:
        self.store = store
        self.calls = 0

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        self.calls += 1
        return self.store.get_nodes(ids)


def N(level: int, index: int) -> NodeId:
    return NodeId(level, index)


def test_node_id_range() -> None:
    assert (N(3, 2).start, N(3, 2).end) == (16, 24)
    assert (N(0, 5).start, N(0, 5).end) == (5, 6)
    assert N(1, 2) < N(1, 3) < N(2, 0)
    with pytest.raises(ProofError):
        NodeId(-1, 0)
    with pytest.raises(ProofError):
        NodeId(0, True)


def test_inclusion_plan_with_ephemeral_right_border() -> None:
    # leaf 0 of 7: siblings 1, [2,4), then the incomplete [4,7) = [4,6) + [6,7)
    plan = inclusion_plan(0, 7)
    assert plan == ProofPlan((N(0, 1), N(1, 1), N(1, 2), N(0, 6)), 2, 4, N(2, 1))
    assert plan.proof_length == 3
    h = [b"a" * 32, b"b" * 32, b"c" * 32, b"d" * 32]
    assert plan.rehash(h) == [h[0], h[1], node_hash(h[2], h[3])]


def test_inclusion_plan_shapes() -> None:
    assert inclusion_plan(0, 1) == ProofPlan(())
    assert inclusion_plan(6, 7).ids == (N(1, 2), N(2, 0))  # leaf 6 is lifted past level 0
    assert inclusion_plan(5, 8).ids == (N(0, 4), N(1, 3), N(2, 0))
    assert inclusion_plan(2, 3).ids == (N(1, 0),)


def test_consistency_plan_shapes() -> None:
    assert consistency_plan(5, 5) == ProofPlan(())
    assert consistency_plan(4, 8).ids == (N(2, 1),)  # power of two: old root not sent
    assert consistency_plan(6, 8).ids == (N(1, 2), N(1, 3), N(2, 0))
    assert consistency_plan(3, 7) == ProofPlan(
        (N(0, 2), N(0, 3), N(1, 0), N(1, 2), N(0, 6)), 3, 5, N(2, 1)
    )


def test_root_plan_is_the_right_edge() -> None:
    assert root_plan(0) == ()
    assert root_plan(13) == (N(3, 0), N(2, 2), N(0, 12))
    assert root_plan(16) == (N(4, 0),)


def test_every_proof_is_one_read() -> None:
    reader = CountingReader(build_store(LEAVES))
    for size in range(1, 17):
        cases: list[tuple[ProofOf, tuple[int, int], tuple[NodeId, ...]]]
        cases = [(inclusion_proof, (i, size), inclusion_plan(i, size).ids) for i in range(size)]
        cases += [
            (consistency_proof, (m, size), consistency_plan(m, size).ids)
            for m in range(1, size + 1)
        ]
        for proof_of, args, ids in cases:
            before = reader.calls
            proof_of(*args, reader)
            assert reader.calls - before == (1 if ids else 0), (proof_of, args)
        before = reader.calls
        root_at(size, reader)
        assert reader.calls - before == 1
    assert root_at(0, reader) == EMPTY_ROOT


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inclusion_plan(3, 3), "leaf index 3 is not in a tree of size 3"),
        (lambda: inclusion_plan(0, 0), "not in a tree of size 0"),
        (lambda: inclusion_plan(-1, 4), "index must be a non-negative int"),
        (lambda: inclusion_plan(0, -4), "size must be a non-negative int"),
        (lambda: inclusion_plan(True, 4), "index must be a non-negative int"),
        (lambda: consistency_plan(0, 4), "consistency from an empty tree"),
        (lambda: consistency_plan(0, 0), "consistency from an empty tree"),
        (lambda: consistency_plan(5, 4), "first size 5 is larger than second size 4"),
        (
            lambda: consistency_plan(1, 2.0),  # type: ignore[arg-type]
            "second must be a non-negative int",
        ),
        (lambda: root_plan(-1), "size must be a non-negative int"),
    ],
)
def test_bad_sizes_raise(call: object, message: str) -> None:
    with pytest.raises(ProofError, match=message):
        call()  # type: ignore[operator]


def test_store_shortfalls_are_proof_errors() -> None:
    store = build_store(LEAVES[:4])
    with pytest.raises(ProofError, match=r"no hash for NodeId\(0, 5\)"):
        inclusion_proof(4, 6, store)
    broken = MemoryNodes([(N(0, 0), b"short"), (N(0, 1), LEAVES[1])])
    with pytest.raises(ProofError, match="returned 5 bytes"):
        inclusion_proof(1, 2, broken)
    with pytest.raises(ProofError, match="plan needs 1 hashes, got 0"):
        inclusion_plan(0, 2).rehash([])
