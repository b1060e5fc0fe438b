"""The planner against the naive RFC 9162 tree, for every small tree; mutations rejected.

Every (index, size) and (first, second) pair up to ``MAX_SIZE`` leaves is checked
exhaustively; hypothesis adds random leaf contents and larger trees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import ProofError
from ledger.core.hashing import leaf_hash
from ledger.core.merkle import (
    MemoryNodes,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from tests.merkle.conftest import build_store
from tests.merkle.reference import ReferenceTree

MAX_SIZE = 70
BIG_SIZE = 1500
SIZES = range(1, MAX_SIZE + 1)


@cache
def _tree(size: int) -> tuple[ReferenceTree, MemoryNodes]:
    leaves = [leaf_hash(b"leaf %d" % i) for i in range(size)]
    return ReferenceTree(leaves), build_store(leaves)


def _flip(digest: bytes, bit: int = 0) -> bytes:
    return bytes([digest[0] ^ (1 << bit), *digest[1:]])


_EXTRA = leaf_hash(b"not in any tree")

Call = Callable[[], None]


def _inclusion_mutations(
    leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes
) -> Iterator[tuple[str, Call]]:
    def case(name: str, *args: object) -> tuple[str, Call]:
        return name, lambda: verify_inclusion(*args)  # type: ignore[arg-type]

    for i in range(len(proof)):
        bent = list(proof)
        bent[i] = _flip(bent[i], i % 8)
        yield case(f"bit flip proof[{i}]", leaf, index, size, bent, root)
    if proof:
        yield case("truncated", leaf, index, size, proof[:-1], root)
        yield case("first node dropped", leaf, index, size, proof[1:], root)
    yield case("extra node after", leaf, index, size, [*proof, _EXTRA], root)
    yield case("extra node before", leaf, index, size, [_EXTRA, *proof], root)
    yield case("root appended", leaf, index, size, [*proof, root], root)
    yield case("wrong index +1", leaf, index + 1, size, proof, root)
    if index > 0:
        yield case("wrong index -1", leaf, index - 1, size, proof, root)
    yield case("wrong index xor 2", leaf, index ^ 2, size, proof, root)
    yield case("size x2", leaf, index, size * 2, proof, root)
    if size // 2 != size:
        yield case("size /2", leaf, index, size // 2, proof, root)
    yield case("wrong leaf", _flip(leaf), index, size, proof, root)
    yield case("wrong root", leaf, index, size, proof, _flip(root))
    yield (
        case("leaf and root swapped", root, index, size, proof, leaf)
        if leaf != root
        else (
            "leaf is root",
            lambda: verify_inclusion(leaf, index, size, proof, _flip(root)),
        )
    )


def _consistency_mutations(
    first: int, second: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> Iterator[tuple[str, Call]]:
    def case(name: str, *args: object) -> tuple[str, Call]:
        return name, lambda: verify_consistency(*args)  # type: ignore[arg-type]

    for i in range(len(proof)):
        bent = list(proof)
        bent[i] = _flip(bent[i], i % 8)
        yield case(f"bit flip proof[{i}]", first, second, root1, root2, bent)
    if proof:
        yield case("truncated", first, second, root1, root2, proof[:-1])
        yield case("first node dropped", first, second, root1, root2, proof[1:])
        yield case("swapped roots", first, second, root2, root1, proof)
    yield case("extra node after", first, second, root1, root2, [*proof, _EXTRA])
    yield case("extra node before", first, second, root1, root2, [_EXTRA, *proof])
    yield case("first +1", first + 1, second, root1, root2, proof)
    yield case("first -1", first - 1, second, root1, root2, proof)
    yield case("first xor 2", first ^ 2, second, root1, root2, proof)
    yield case("second x2", first, second * 2, root1, root2, proof)
    if second // 2 != second:
        yield case("second /2", first, second // 2, root1, root2, proof)
    yield case("wrong first root", first, second, _flip(root1), root2, proof)
    yield case("wrong second root", first, second, root1, _flip(root2), proof)


def _assert_all_rejected(mutations: Iterator[tuple[str, Call]], where: str) -> None:
    for name, call in mutations:
        try:
            call()
        except ProofError:
            continue
        pytest.fail(f"{where}: mutation {name!r} was accepted")


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_equals_reference_and_verifies(size: int) -> None:
    reference, store = _tree(size)
    root = reference.root(size)
    assert root_at(size, store) == root
    for index in range(size):
        proof = inclusion_proof(index, size, store)
        assert proof == reference.inclusion(index, size), (index, size)
        assert inclusion_plan(index, size).proof_length == len(proof)
        leaf = reference.leaves[index]
        verify_inclusion(leaf, index, size, proof, root)
        _assert_all_rejected(
            _inclusion_mutations(leaf, index, size, proof, root), f"inclusion {index}/{size}"
        )


@pytest.mark.parametrize("second", SIZES)
def test_consistency_equals_reference_and_verifies(second: int) -> None:
    reference, store = _tree(second)
    root2 = reference.root(second)
    for first in range(1, second + 1):
        proof = consistency_proof(first, second, store)
        assert proof == reference.consistency(first, second), (first, second)
        assert consistency_plan(first, second).proof_length == len(proof)
        root1 = reference.root(first)
        verify_consistency(first, second, root1, root2, proof)
        _assert_all_rejected(
            _consistency_mutations(first, second, root1, root2, proof),
            f"consistency {first}->{second}",
        )


@settings(max_examples=60, deadline=None)
@given(
    leaves=st.lists(st.binary(max_size=12), min_size=1, max_size=MAX_SIZE, unique=True),
    data=st.data(),
)
def test_random_leaves_match_reference(leaves: list[bytes], data: st.DataObject) -> None:
    hashes = [leaf_hash(leaf) for leaf in leaves]
    size = len(hashes)
    reference, store = ReferenceTree(hashes), build_store(hashes)
    index = data.draw(st.integers(0, size - 1), label="index")
    first = data.draw(st.integers(1, size), label="first")
    assert inclusion_proof(index, size, store) == reference.inclusion(index, size)
    assert consistency_proof(first, size, store) == reference.consistency(first, size)
    assert root_at(size, store) == reference.root(size) == root_from_leaf_hashes(hashes)


@cache
def _big() -> tuple[list[bytes], MemoryNodes]:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(BIG_SIZE)]
    return leaves, build_store(leaves)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_larger_trees_verify_with_logarithmic_plans(data: st.DataObject) -> None:
    leaves, store = _big()
    second = data.draw(st.integers(1, BIG_SIZE), label="second")
    first = data.draw(st.integers(1, second), label="first")
    index = data.draw(st.integers(0, second - 1), label="index")
    root1, root2 = root_from_leaf_hashes(leaves[:first]), root_from_leaf_hashes(leaves[:second])
    assert root_at(first, store) == root1
    assert root_at(second, store) == root2
    verify_inclusion(leaves[index], index, second, inclusion_proof(index, second, store), root2)
    verify_consistency(first, second, root1, root2, consistency_proof(first, second, store))
    depth = (second - 1).bit_length()
    assert len(inclusion_plan(index, second).ids) <= 2 * depth
    assert len(consistency_plan(first, second).ids) <= 2 * depth + 1
