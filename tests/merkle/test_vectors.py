"""The shared RFC 6962/9162 known answers, reproduced: hashes, roots, nodes and probes."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.core.errors import ProofError
from ledger.core.hashing import EMPTY_ROOT, leaf_hash, node_hash
from ledger.core.merkle import (
    Frontier,
    MemoryNodes,
    NodeId,
    completed_nodes,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)

_PROBES_PER_KIND = 98  # README.md; test_probe_counts holds the file to it
_PROBE_NUMBERS = [pytest.param(i, id=f"probe{i:02d}") for i in range(_PROBES_PER_KIND)]


def _hashes(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hexes]


def test_hasher_known_answers(vectors: dict[str, Any]) -> None:
    kats = vectors["hasher_known_answers"]
    assert [k["kind"] for k in kats] == ["empty_tree", "leaf", "leaf", "node"]
    for kat in kats:
        want = bytes.fromhex(kat["expected_hex"])
        if kat["kind"] == "empty_tree":
            assert want == EMPTY_ROOT == root_from_leaves([])
        elif kat["kind"] == "leaf":
            assert leaf_hash(bytes.fromhex(kat["input_hex"])) == want
        else:
            left, right = bytes.fromhex(kat["left_hex"]), bytes.fromhex(kat["right_hex"])
            assert node_hash(left, right) == want


def test_roots_by_size(
    vector_leaves: list[bytes], vector_roots: list[bytes], vector_store: MemoryNodes
) -> None:
    assert len(vector_roots) == 9
    frontier = Frontier()
    for size, want in enumerate(vector_roots):
        assert root_from_leaves(vector_leaves[:size]) == want
        assert root_at(size, vector_store) == want
        assert frontier.root() == want
        if size < len(vector_leaves):
            frontier.push(leaf_hash(vector_leaves[size]))


def test_completed_nodes_reproduce_node_hashes_by_level(
    vectors: dict[str, Any], vector_leaves: list[bytes]
) -> None:
    """Storing what completed_nodes reports yields exactly the vector's node table."""
    store = MemoryNodes()
    for index, leaf in enumerate(vector_leaves):
        digest = leaf_hash(leaf)
        store.put(completed_nodes(index, digest, store))
        store.put([(NodeId(0, index), digest)])
    want = {
        NodeId(level, index): bytes.fromhex(h)
        for level, row in enumerate(vectors["node_hashes_by_level_hex"])
        for index, h in enumerate(row)
    }
    assert len(want) == 15
    assert store.get_nodes(list(want)) == want
    assert len(store) == len(want)


@pytest.mark.parametrize("number", _PROBE_NUMBERS)
def test_inclusion_probe(
    number: int, vectors: dict[str, Any], vector_roots: list[bytes], vector_store: MemoryNodes
) -> None:
    probe = vectors["inclusion_probes"][number]
    leaf, root = bytes.fromhex(probe["leaf_hash_hex"]), bytes.fromhex(probe["root_hex"])
    index, size, proof = probe["leaf_index"], probe["tree_size"], _hashes(probe["proof_hex"])
    if probe["want_error"]:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, proof, root)
        return
    verify_inclusion(leaf, index, size, proof, root)
    assert inclusion_plan(index, size).proof_length == len(proof), probe["file"]
    if size < len(vector_roots) and root == vector_roots[size]:
        assert inclusion_proof(index, size, vector_store) == proof, probe["file"]


@pytest.mark.parametrize("number", _PROBE_NUMBERS)
def test_consistency_probe(
    number: int, vectors: dict[str, Any], vector_roots: list[bytes], vector_store: MemoryNodes
) -> None:
    probe = vectors["consistency_probes"][number]
    first, second = probe["size1"], probe["size2"]
    root1, root2 = bytes.fromhex(probe["root1_hex"]), bytes.fromhex(probe["root2_hex"])
    proof = _hashes(probe["proof_hex"])
    if probe["want_error"]:
        with pytest.raises(ProofError):
            verify_consistency(first, second, root1, root2, proof)
        return
    verify_consistency(first, second, root1, root2, proof)
    assert consistency_plan(first, second).proof_length == len(proof), probe["file"]
    if second < len(vector_roots) and root2 == vector_roots[second]:
        assert root1 == vector_roots[first]
        assert consistency_proof(first, second, vector_store) == proof, probe["file"]


def test_probe_counts(vectors: dict[str, Any]) -> None:
    """The README's promise: 98 + 98 probes, 6 valid of each kind."""
    for kind in ("inclusion", "consistency"):
        probes = vectors[f"{kind}_probes"]
        assert len(probes) == _PROBES_PER_KIND
        assert sum(not p["want_error"] for p in probes) == 6


def test_every_valid_vector_proof_is_regenerated(
    vectors: dict[str, Any], vector_roots: list[bytes]
) -> None:
    """Guard against the regeneration branch above silently matching nothing."""
    inclusion = [
        p
        for p in vectors["inclusion_probes"]
        if not p["want_error"] and bytes.fromhex(p["root_hex"]) == vector_roots[p["tree_size"]]
    ]
    consistency = [
        p
        for p in vectors["consistency_probes"]
        if not p["want_error"] and bytes.fromhex(p["root2_hex"]) == vector_roots[p["size2"]]
    ]
    assert len(inclusion) == 5
    assert len(consistency) == 5
