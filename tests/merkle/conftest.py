"""Fixtures for the Merkle tests: the shared RFC 6962/9162 vectors, read in place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.core.hashing import leaf_hash
from ledger.core.merkle import Frontier, MemoryNodes, NodeId


@pytest.fixture(scope="session")
def vectors(shared_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (shared_dir / "vectors" / "merkle" / "rfc6962_vectors.json").read_text()
    )
    return data


@pytest.fixture(scope="session")
def vector_leaves(vectors: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(leaf) for leaf in vectors["leaves_hex"]]


@pytest.fixture(scope="session")
def vector_roots(vectors: dict[str, Any]) -> list[bytes]:
    return [bytes.fromhex(root) for root in vectors["roots_by_size_hex"]]


def build_store(leaf_hashes: list[bytes]) -> MemoryNodes:
    """Leaf hashes at level 0 plus every interior node a Frontier reports as completed."""
    store = MemoryNodes()
    frontier = Frontier()
    for index, leaf in enumerate(leaf_hashes):
        store.put([(NodeId(0, index), leaf)])
        store.put(frontier.push(leaf))
    return store


@pytest.fixture(scope="session")
def vector_store(vector_leaves: list[bytes]) -> MemoryNodes:
    return build_store([leaf_hash(leaf) for leaf in vector_leaves])
