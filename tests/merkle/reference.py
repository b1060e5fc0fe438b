"""A naive RFC 9162 tree, straight from the recursive definitions (sections 2.1.1-2.1.4).

Ranges are ``[lo, hi)`` of leaf hashes; ``k`` is the largest power of two below ``n``.
Slow and obviously right: the oracle the index-maths planner is compared against.
"""

from __future__ import annotations

from functools import cache

from ledger.core.hashing import EMPTY_ROOT, node_hash


class ReferenceTree:
    def __init__(self, leaf_hashes: list[bytes]) -> None:
        self.leaves = leaf_hashes
        self.mth = cache(self._mth)

    def _mth(self, lo: int, hi: int) -> bytes:
        if hi - lo == 0:
            return EMPTY_ROOT
        if hi - lo == 1:
            return self.leaves[lo]
        k = _split(hi - lo)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def path(self, m: int, lo: int, hi: int) -> list[bytes]:
        """PATH(m, D[lo:hi]), ``m`` relative to ``lo``."""
        if hi - lo <= 1:
            return []
        k = _split(hi - lo)
        if m < k:
            return [*self.path(m, lo, lo + k), self.mth(lo + k, hi)]
        return [*self.path(m - k, lo + k, hi), self.mth(lo, lo + k)]

    def subproof(self, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        """SUBPROOF(m, D[lo:hi], b)."""
        if m == hi - lo:
            return [] if whole else [self.mth(lo, hi)]
        k = _split(hi - lo)
        if m <= k:
            return [*self.subproof(m, lo, lo + k, whole), self.mth(lo + k, hi)]
        return [*self.subproof(m - k, lo + k, hi, False), self.mth(lo, lo + k)]

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return self.path(index, 0, size)

    def consistency(self, first: int, second: int) -> list[bytes]:
        return self.subproof(first, 0, second, True)

    def root(self, size: int) -> bytes:
        return self.mth(0, size)


def _split(n: int) -> int:
    """Largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)
