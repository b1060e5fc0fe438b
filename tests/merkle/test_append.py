"""Appending: the frontier's root, the nodes each append completes, and the reads it costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from ledger.core.errors import ProofError
from ledger.core.hashing import leaf_hash
from ledger.core.merkle import Frontier, MemoryNodes, NodeId, completed_nodes, root_from_leaf_hashes

SIZE = 70
LEAVES = [leaf_hash(b"entry %d" % i) for i in range(SIZE)]


class CountingReader:
    """A MemoryNodes that records every get_nodes call."""

    def __init__(self, store: MemoryNodes) -> None:
        self.store = store
        self.calls: list[list[NodeId]] = []

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        self.calls.append(list(ids))
        return self.store.get_nodes(ids)


def test_frontier_root_equals_naive_root_for_every_size() -> None:
    frontier = Frontier()
    assert frontier.root() == root_from_leaf_hashes([])
    for size in range(1, SIZE + 1):
        frontier.push(LEAVES[size - 1])
        assert frontier.size == size
        assert frontier.root() == root_from_leaf_hashes(LEAVES[:size])


def test_completed_nodes_match_frontier_and_read_once() -> None:
    store = MemoryNodes()
    reader = CountingReader(store)
    frontier = Frontier()
    for index, leaf in enumerate(LEAVES):
        before = len(reader.calls)
        nodes = completed_nodes(index, leaf, reader)
        trailing_ones = (index ^ (index + 1)).bit_length() - 1
        assert len(reader.calls) - before == (1 if trailing_ones else 0)
        assert [node.level for node, _ in nodes] == list(range(1, trailing_ones + 1))
        assert nodes == frontier.push(leaf)
        store.put([(NodeId(0, index), leaf), *nodes])
    # every complete subtree of the 70-leaf tree is stored, each hash its range's MTH
    for node in (NodeId(level, i) for level in range(7) for i in range(SIZE >> level)):
        want = root_from_leaf_hashes(LEAVES[node.start : node.end])
        assert store.get_nodes([node]) == {node: want}
    assert len(store) == sum(SIZE >> level for level in range(7))


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 33, 64, 69])
def test_loaded_frontier_continues_the_tree(size: int) -> None:
    full = MemoryNodes()
    grower = Frontier()
    for index, leaf in enumerate(LEAVES):
        full.put([(NodeId(0, index), leaf), *grower.push(leaf)])
    reader = CountingReader(full)
    frontier = Frontier.load(size, reader)
    assert len(reader.calls) == (1 if size else 0)
    assert len(reader.calls[0] if reader.calls else []) == size.bit_count()
    assert frontier.size == size
    assert frontier.root() == root_from_leaf_hashes(LEAVES[:size])
    for index in range(size, SIZE):
        assert frontier.push(LEAVES[index]) == completed_nodes(index, LEAVES[index], full)
    assert frontier.root() == root_from_leaf_hashes(LEAVES)


def test_missing_sibling_is_a_proof_error() -> None:
    with pytest.raises(ProofError, match=r"no hash for NodeId\(0, 2\)"):
        completed_nodes(3, LEAVES[3], MemoryNodes())
    with pytest.raises(ProofError, match="no hash"):
        Frontier.load(5, MemoryNodes())


@pytest.mark.parametrize("leaf", [b"", b"x" * 31, b"x" * 33])
def test_leaf_must_be_a_hash(leaf: bytes) -> None:
    with pytest.raises(ProofError, match="32 bytes"):
        completed_nodes(0, leaf, MemoryNodes())
    with pytest.raises(ProofError, match="32 bytes"):
        Frontier().push(leaf)


@pytest.mark.parametrize("index", [-1, True, 1.0])
def test_bad_index(index: object) -> None:
    with pytest.raises(ProofError, match="non-negative int"):
        completed_nodes(index, LEAVES[0], MemoryNodes())  # type: ignore[arg-type]


def test_memory_nodes_refuse_a_rewrite() -> None:
    store = MemoryNodes([(NodeId(0, 0), LEAVES[0])])
    store.put([(NodeId(0, 0), LEAVES[0])])
    with pytest.raises(ProofError, match="different hash"):
        store.put([(NodeId(0, 0), LEAVES[1])])
