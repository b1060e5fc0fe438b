"""Which interior nodes become complete when leaves are appended, with their hashes.

Storing every complete subtree as it completes is what lets ``proof.py`` answer any proof
with O(log n) reads. Appending leaf ``i`` completes one node per trailing one bit of
``i``: each is the hash of the previous complete node on its left and the node just
finished below it. :func:`completed_nodes` does this for one leaf against storage;
:class:`Frontier` keeps the right edge in memory so a batch reads storage once.
"""

from __future__ import annotations

from ledger.core.errors import ProofError
from ledger.core.hashing import HASH_SIZE, node_hash
from ledger.core.merkle.nodes import NodeId, NodeReader
from ledger.core.merkle.proof import fetch, fold_right, root_plan


def _require_leaf(leaf: bytes) -> None:
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"a leaf hash is {HASH_SIZE} bytes, got {len(leaf)}", field="leaf")


def completed_nodes(index: int, leaf: bytes, reader: NodeReader) -> list[tuple[NodeId, bytes]]:
    """Interior nodes (level >= 1) completed by appending leaf hash ``leaf`` at ``index``.

    The left siblings on the way up are read with one ``get_nodes`` call (none when
    ``index`` is even). Nodes are returned lowest level first.
    """
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ProofError(f"leaf index must be a non-negative int, got {index!r}", field="index")
    _require_leaf(leaf)
    lefts = []
    level = 0
    while index >> level & 1:
        lefts.append(NodeId(level, (index >> level) - 1))
        level += 1
    completed = []
    acc = leaf
    for left, digest in zip(lefts, fetch(lefts, reader), strict=True):
        acc = node_hash(digest, acc)
        completed.append((NodeId(left.level + 1, left.index >> 1), acc))
    return completed


class Frontier:
    """The right edge of a tree: one complete-subtree hash per set bit of its size.

    Enough to append further leaves and to compute the current root without touching
    storage, which is what a batch append needs. Mutable on purpose: it is a builder.
    """

    __slots__ = ("_edge", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._edge: list[bytes] = []  # left to right, largest subtree first

    @classmethod
    def load(cls, size: int, reader: NodeReader) -> Frontier:
        """The frontier of the stored tree of ``size`` leaves, read in one call."""
        frontier = cls()
        frontier._edge = fetch(root_plan(size), reader)
        frontier._size = size
        return frontier

    @property
    def size(self) -> int:
        return self._size

    def copy(self) -> Frontier:
        """An independent frontier at the same place (a transaction may still roll back)."""
        twin = Frontier()
        twin._edge = list(self._edge)
        twin._size = self._size
        return twin

    def push(self, leaf: bytes) -> list[tuple[NodeId, bytes]]:
        """Append leaf hash ``leaf``; return the interior nodes it completed, lowest first."""
        _require_leaf(leaf)
        index = self._size
        completed = []
        acc = leaf
        level = 0
        while index & 1:
            acc = node_hash(self._edge.pop(), acc)
            level += 1
            index >>= 1
            completed.append((NodeId(level, index), acc))
        self._edge.append(acc)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """RFC 9162 root of the leaves pushed so far."""
        return fold_right(self._edge)
