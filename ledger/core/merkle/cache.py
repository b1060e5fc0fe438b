"""Hashes of complete subtrees kept in memory, for the upper levels of the tree.

A complete subtree's hash never changes once the tree has grown past it (that is what
the node store holds), so remembering one can never serve a stale answer. Most proofs of
a large tree share their upper levels: every inclusion proof names one node per level and
there are only ``size >> level`` nodes at a level, so the levels from :data:`FROM_LEVEL`
up are few (at a million leaves, about 125,000 nodes) and are soon all in memory, leaving
the database the bottom of each path and the leaf. Roots are kept too, by tree size: the
root of the first ``n`` leaves never changes either, and most proofs are asked in the tree
of the latest checkpoint. Bounded: when full it gives up its lowest level (the one that
serves fewest proofs a node) and keeps only the levels above from then on, so a tree too
large for the bound keeps its top in memory instead of emptying the cache again and again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ledger.core.hashing import HASH_SIZE
from ledger.core.merkle.proof import Key

FROM_LEVEL = 4  # a node at level 4 covers 16 leaves: below that, paths rarely meet
MAX_NODES = 1 << 17  # about 25 MB of keys and hashes at most
MAX_ROOTS = 1 << 12


class NodeCache:
    """Complete-subtree hashes of level ``>= from_level``, at most ``max_nodes`` of them.

    Shared by the threads of one proof service without a lock: reads and writes are single
    dict operations, a node written twice is written with the same immutable hash, and the
    raised floor swaps in a new dict (a node another thread writes meanwhile into the old
    one is merely read again later).
    """

    __slots__ = ("_from_level", "_max", "_nodes", "_roots")

    def __init__(self, from_level: int = FROM_LEVEL, max_nodes: int = MAX_NODES) -> None:
        self._from_level = from_level
        self._max = max_nodes
        self._nodes: dict[Key, bytes] = {}
        self._roots: dict[int, bytes] = {}

    def root(self, size: int) -> bytes | None:
        """The root of the tree of ``size`` leaves, when computed before."""
        return self._roots.get(size)

    def keep_root(self, size: int, root: bytes) -> bytes:
        """Remember the root of ``size`` leaves (computed from stored nodes); returns it."""
        if len(self._roots) >= MAX_ROOTS:
            self._roots.clear()
        self._roots[size] = root
        return root

    def split(self, keys: Sequence[Key]) -> tuple[dict[Key, bytes], list[Key]]:
        """The hashes of ``keys`` held here, and the keys still to be read (in order)."""
        nodes = self._nodes
        held: dict[Key, bytes] = {}
        missing: list[Key] = []
        for key in keys:
            digest = nodes.get(key)
            if digest is None:
                missing.append(key)
            else:
                held[key] = digest
        return held, missing

    def keep(self, found: Iterable[tuple[Key, bytes]]) -> None:
        """Remember the nodes of cached levels among hashes just read from storage."""
        nodes = self._nodes
        floor = self._from_level
        for key, digest in found:
            if key[0] >= floor and len(digest) == HASH_SIZE:  # a malformed one is refused
                if len(nodes) >= self._max:
                    nodes, floor = self._raise_floor()
                    if key[0] < floor:
                        continue
                nodes[key] = digest

    def _raise_floor(self) -> tuple[dict[Key, bytes], int]:
        """Drop the lowest level held (all of it at once, so it stays full when empty)."""
        floor = min((key[0] for key in list(self._nodes)), default=self._from_level) + 1
        self._nodes = {key: digest for key, digest in list(self._nodes.items()) if key[0] >= floor}
        self._from_level = floor
        return self._nodes, floor

    def __len__(self) -> int:
        return len(self._nodes)
