"""Pure RFC 9162 proof verifiers, written step for step from sections 2.1.3.2 and 2.1.4.2.

They share nothing with the planner in ``proof.py`` on purpose: a bug in one cannot hide
a bug in the other. They raise :class:`ProofError` (or :class:`RootMismatch`, carrying
both roots) and never return a bool, so a forgotten check cannot pass silently.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.core.errors import ProofError
from ledger.core.hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash


class RootMismatch(ProofError):
    """The proof rebuilds a root other than the one it was checked against."""

    def __init__(self, expected: bytes, calculated: bytes, *, field: str = "root") -> None:
        super().__init__(
            f"{field} mismatch: expected {expected.hex()}, calculated {calculated.hex()}",
            field=field,
        )
        self.expected = expected
        self.calculated = calculated


def _require_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProofError(f"{name} must be a non-negative int, got {value!r}", field=name)


def _require_hashes(proof: Sequence[bytes]) -> None:
    for position, node in enumerate(proof):
        if len(node) != HASH_SIZE:
            raise ProofError(f"proof[{position}] is {len(node)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise unless ``proof`` shows ``leaf_hash`` at ``index`` in the tree ``root`` of ``size``."""
    _require_int("index", index)
    _require_int("size", size)
    if index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}", field="index")
    if len(leaf_hash) != HASH_SIZE:
        raise ProofError(f"leaf hash is {len(leaf_hash)} bytes, not {HASH_SIZE}", field="leaf")
    _require_hashes(proof)
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(f"proof is too long for leaf {index} in size {size}")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"proof is too short for leaf {index} in size {size}")
    if r != root:
        raise RootMismatch(root, r)


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise unless ``proof`` shows the tree ``first_root`` is a prefix of ``second_root``."""
    _require_int("first", first)
    _require_int("second", second)
    if first == 0:
        raise ProofError("consistency from an empty tree is not defined", field="first")
    if first > second:
        raise ProofError(f"first size {first} is larger than second size {second}", field="first")
    if first == second:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if first_root != second_root:
            raise RootMismatch(second_root, first_root, field="second_root")
        return
    if not proof:
        raise ProofError(f"empty proof from size {first} to {second}")
    _require_hashes(proof)
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"proof is too long for sizes {first} to {second}")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"proof is too short for sizes {first} to {second}")
    if fr != first_root:
        raise RootMismatch(first_root, fr, field="first_root")
    if sr != second_root:
        raise RootMismatch(second_root, sr, field="second_root")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Reference MTH over leaf hashes, by the RFC 9162 recursion (split at 2**k < n)."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """Reference MTH(D[n]) over raw leaf inputs; naive, for tests and small trees."""
    return root_from_leaf_hashes([leaf_hash(leaf) for leaf in leaves])
