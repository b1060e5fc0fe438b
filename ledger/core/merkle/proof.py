"""Proof planning as pure index maths, then proof assembly from one storage read.

A proof in a tree of ``size`` leaves is made of complete-subtree hashes, except for at
most one node on the right border of the tree, which is incomplete: its hash is the RFC
9162 MTH of the leaves it covers so far, and it is rebuilt from the few complete subtrees
that tile it. Planning says which complete nodes to fetch and which run of them to fold
into that ephemeral node, so storage only ever serves immutable hashes by id and every
proof costs O(log n) hashes fetched in one :meth:`NodeReader.get_nodes` call.

The planner walks from a node up to the root of the tree, taking each level's sibling:
a left sibling is always complete; a right sibling is complete, incomplete (the
ephemeral node), or wholly beyond the tree (then the walk moves up unchanged, which is
exactly how RFC 9162 lifts the last node of an odd level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ledger.core.errors import ProofError
from ledger.core.hashing import EMPTY_ROOT, HASH_SIZE, node_hash
from ledger.core.merkle.nodes import NodeId, NodeReader

Key = tuple[int, int]
"""A node as plain ``(level, index)`` ints: what the hot path plans and reads with.

A :class:`NodeId` checks its fields when built; a proof service planning a few dozen nodes
per request spent more on those checks (and on hashing dataclasses) than on its SQL, so
planning works on tuples and :class:`ProofPlan` wraps them once for everyone else.
"""


@dataclass(frozen=True, slots=True)
class KeyPlan:
    """A proof plan over plain ``(level, index)`` pairs; see :class:`ProofPlan`."""

    keys: list[Key]
    begin: int = 0
    end: int = 0
    ephemeral: Key | None = None

    def rehash(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Turn the fetched hashes (in ``keys`` order) into the proof."""
        return _rehash(hashes, len(self.keys), self.begin, self.end)


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """Which complete subtrees a proof needs, and how to turn their hashes into the proof.

    ``ids[begin:end]`` (left to right, at least two of them when present) tile the one
    ephemeral right-border node ``ephemeral``; they are folded into a single proof entry.
    Every other id is a proof entry as it is. Proof entries are ordered leaf to root.
    """

    ids: tuple[NodeId, ...]
    begin: int = 0
    end: int = 0
    ephemeral: NodeId | None = None

    @classmethod
    def of(cls, plan: KeyPlan) -> ProofPlan:
        eph = plan.ephemeral
        return cls(
            tuple(NodeId(level, index) for level, index in plan.keys),
            plan.begin,
            plan.end,
            None if eph is None else NodeId(*eph),
        )

    @property
    def proof_length(self) -> int:
        """Number of hashes in the finished proof."""
        return len(self.ids) - max(0, self.end - self.begin - 1)

    def rehash(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Turn the fetched hashes (in ``ids`` order) into the proof."""
        return _rehash(hashes, len(self.ids), self.begin, self.end)


def _rehash(hashes: Sequence[bytes], wanted: int, begin: int, end: int) -> list[bytes]:
    if len(hashes) != wanted:
        raise ProofError(f"plan needs {wanted} hashes, got {len(hashes)}")
    if end - begin < 2:
        return list(hashes)
    return [*hashes[:begin], fold_right(hashes[begin:end]), *hashes[end:]]


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """MTH of adjacent complete subtrees given left to right with decreasing sizes."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def _require_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProofError(f"{name} must be a non-negative int, got {value!r}", field=name)


def _tiles(start: int, end: int) -> list[Key]:
    """Complete subtrees tiling leaves ``[start, end)``, largest first.

    ``start`` must be a multiple of the largest power of two not above ``end - start``,
    which holds for ``[0, size)`` and for a right-border sibling cut short by ``size``.
    """
    tiles = []
    span = end - start
    for level in range(span.bit_length() - 1, -1, -1):
        if span >> level & 1:
            tiles.append((level, start >> level))
            start += 1 << level
    return tiles


def _walk(level: int, index: int, size: int, first: Key | None = None) -> KeyPlan:
    """Siblings of node ``(level, index)`` and of its ancestors, up to the root of ``size``.

    ``first``, when given, is put in front of the path (consistency proofs start with the
    node that ends at the old size).
    """
    keys: list[Key] = [] if first is None else [first]
    begin = end = 0
    ephemeral: Key | None = None
    while index != 0 or (1 << level) < size:
        sibling = index ^ 1
        if sibling < index:
            keys.append((level, sibling))
        elif (sibling << level) < size:
            if ((sibling + 1) << level) <= size:
                keys.append((level, sibling))
            else:
                ephemeral = (level, sibling)
                begin = len(keys)
                keys.extend(_tiles(sibling << level, size))
                end = len(keys)
        level += 1
        index >>= 1
    return KeyPlan(keys, begin, end, ephemeral)


def inclusion_keys(index: int, size: int) -> KeyPlan:
    """Plan the RFC 9162 inclusion proof (PATH) of leaf ``index`` in a tree of ``size``."""
    _require_size("index", index)
    _require_size("size", size)
    if index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}", field="index")
    return _walk(0, index, size)


def consistency_keys(first: int, second: int) -> KeyPlan:
    """Plan the RFC 9162 consistency proof (PROOF) from tree size ``first`` to ``second``.

    The proof starts with the largest complete subtree ending at ``first`` (left out when
    ``first`` is a power of two: it is then the old root, which the verifier holds), then
    climbs from that subtree to the root of ``second``.
    """
    _require_size("first", first)
    _require_size("second", second)
    if first == 0:
        raise ProofError("consistency from an empty tree is not defined", field="first")
    if first > second:
        raise ProofError(f"first size {first} is larger than second size {second}", field="first")
    if first == second:
        return KeyPlan([])
    level = (first & -first).bit_length() - 1
    index = (first - 1) >> level
    return _walk(level, index, second, None if index == 0 else (level, index))


def root_keys(size: int) -> list[Key]:
    """The complete subtrees whose fold is the root of ``size``: the tree's right edge."""
    _require_size("size", size)
    return _tiles(0, size)


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """:func:`inclusion_keys` as :class:`NodeId` values."""
    return ProofPlan.of(inclusion_keys(index, size))


def consistency_plan(first: int, second: int) -> ProofPlan:
    """:func:`consistency_keys` as :class:`NodeId` values."""
    return ProofPlan.of(consistency_keys(first, second))


def root_plan(size: int) -> tuple[NodeId, ...]:
    """:func:`root_keys` as :class:`NodeId` values."""
    return tuple(NodeId(level, index) for level, index in root_keys(size))


def fetch(ids: Sequence[NodeId], reader: NodeReader) -> list[bytes]:
    """Read ``ids`` in one call, in order; a missing or malformed hash is an error."""
    if not ids:
        return []
    found = reader.get_nodes(ids)
    hashes = []
    for node in ids:
        digest = found.get(node)
        if digest is None:
            raise ProofError(f"node store has no hash for {node!r}")
        if len(digest) != HASH_SIZE:
            raise ProofError(f"node store returned {len(digest)} bytes for {node!r}")
        hashes.append(digest)
    return hashes


def pick(keys: Sequence[Key], found: Mapping[Key, bytes]) -> list[bytes]:
    """The hashes of ``keys`` in order, from what storage returned: :func:`fetch` for keys.

    A missing or malformed hash is the same error, naming the node the same way.
    """
    try:
        hashes = [found[key] for key in keys]
    except KeyError as missing:
        level, index = missing.args[0]
        raise ProofError(f"node store has no hash for NodeId({level}, {index})") from None
    for key, digest in zip(keys, hashes, strict=True):
        if len(digest) != HASH_SIZE:
            raise ProofError(
                f"node store returned {len(digest)} bytes for NodeId({key[0]}, {key[1]})"
            )
    return hashes


def inclusion_proof(index: int, size: int, reader: NodeReader) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
    plan = inclusion_plan(index, size)
    return plan.rehash(fetch(plan.ids, reader))


def consistency_proof(first: int, second: int, reader: NodeReader) -> list[bytes]:
    """RFC 9162 consistency proof between tree sizes ``first`` and ``second``."""
    plan = consistency_plan(first, second)
    return plan.rehash(fetch(plan.ids, reader))


def root_at(size: int, reader: NodeReader) -> bytes:
    """RFC 9162 root hash of the first ``size`` leaves (``EMPTY_ROOT`` for size 0)."""
    return fold_right(fetch(root_plan(size), reader))
