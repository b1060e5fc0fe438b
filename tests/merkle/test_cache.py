"""The node cache keeps only what can never change, within its bound; ``pick`` refuses what
storage did not give as :func:`fetch` does."""

from __future__ import annotations

import pytest

from ledger.core.errors import ProofError
from ledger.core.hashing import leaf_hash
from ledger.core.merkle.cache import NodeCache
from ledger.core.merkle.proof import inclusion_keys, pick, root_keys

H = [leaf_hash(b"%d" % i) for i in range(8)]


def test_only_upper_levels_are_kept_and_asked_keys_keep_their_order() -> None:
    cache = NodeCache(from_level=2)
    cache.keep([((0, 1), H[0]), ((1, 0), H[1]), ((2, 0), H[2]), ((5, 3), H[3])])
    assert len(cache) == 2
    held, missing = cache.split([(0, 1), (5, 3), (1, 0), (2, 0), (2, 1)])
    assert held == {(5, 3): H[3], (2, 0): H[2]}
    assert missing == [(0, 1), (1, 0), (2, 1)]


def test_a_malformed_hash_is_never_kept() -> None:
    cache = NodeCache(from_level=1)
    cache.keep([((3, 0), b"short"), ((3, 1), H[1] + b"x")])
    assert len(cache) == 0
    assert cache.split([(3, 0)]) == ({}, [(3, 0)])


def test_a_full_cache_gives_up_its_lowest_level_and_keeps_the_top() -> None:
    cache = NodeCache(from_level=1, max_nodes=4)
    cache.keep([((1, 0), H[0]), ((1, 1), H[1]), ((2, 0), H[2]), ((3, 0), H[3])])
    assert len(cache) == 4
    cache.keep([((2, 1), H[4]), ((1, 2), H[5])])  # full: level 1 goes, and is not kept again
    assert cache.split([(1, 0), (1, 2), (2, 0), (2, 1), (3, 0)]) == (
        {(2, 0): H[2], (2, 1): H[4], (3, 0): H[3]},
        [(1, 0), (1, 2)],
    )
    cache.keep([((2, 2), H[6]), ((4, 0), H[7])])  # full again: level 2 goes
    assert cache.split([(2, 0), (3, 0), (4, 0)]) == ({(3, 0): H[3], (4, 0): H[7]}, [(2, 0)])


def test_roots_are_kept_by_tree_size() -> None:
    cache = NodeCache()
    assert cache.root(7) is None
    assert cache.keep_root(7, H[7]) == H[7]
    assert (cache.root(7), cache.root(8)) == (H[7], None)


def test_pick_names_a_missing_or_malformed_node_as_fetch_does() -> None:
    keys = inclusion_keys(4, 6).keys  # leaf 5, then the four leaves on the left
    found = dict(zip(keys, H, strict=False))
    assert keys == [(0, 5), (2, 0)]
    assert pick(keys, found) == H[:2]
    with pytest.raises(ProofError, match=r"no hash for NodeId\(1, 3\)"):
        pick([*keys, (1, 3)], found)
    with pytest.raises(ProofError, match=r"returned 5 bytes for NodeId\(0, 5\)"):
        pick(keys, {**found, (0, 5): b"short"})
    assert root_keys(13) == [(3, 0), (2, 2), (0, 12)]
