"""The ledger's hashes recomputed from the definitions, sharing no code with ``ledger``.

Format 1: ``leaf = SHA-256(0x00 || canonical || signature)``; format 2 (every entry written
now): ``SHA-256(0x00 || 0x02 || recorded_at || canonical || signature)`` with the recording
time as 8 big-endian bytes of microseconds since the epoch. ``chain[n] =
SHA-256(chain[n-1] || leaf[n])`` from 32 zero bytes, and the RFC 9162 tree over the
leaves (interior prefix 0x01, split at the largest power of two below n). The tamper
tests use these to rewrite history the way a careful forger would.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

GENESIS = bytes(32)


def leaf_v1(canonical: bytes, signature: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + canonical + signature).digest()


def leaf(canonical: bytes, signature: bytes, recorded_at: datetime) -> bytes:
    """The format-2 leaf, from the definition."""
    delta = recorded_at - datetime(1970, 1, 1, tzinfo=UTC)
    micro = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    stamp = micro.to_bytes(8, "big")
    return hashlib.sha256(b"\x00\x02" + stamp + canonical + signature).digest()


def leaf_of(fmt: int, canonical: bytes, signature: bytes, recorded_at: datetime) -> bytes:
    return leaf_v1(canonical, signature) if fmt == 1 else leaf(canonical, signature, recorded_at)


def chain(previous: bytes, leaf_hash: bytes) -> bytes:
    return hashlib.sha256(previous + leaf_hash).digest()


def chains(leaves: Sequence[bytes], start: bytes = GENESIS) -> list[bytes]:
    out, tip = [], start
    for leaf_hash in leaves:
        tip = chain(tip, leaf_hash)
        out.append(tip)
    return out


def mth(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash of leaf hashes, by the recursive definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:split]) + mth(leaves[split:])).digest()


def complete_subtrees(leaves: Sequence[bytes]) -> Iterator[tuple[int, int, bytes]]:
    """Every complete subtree above the leaves as (level, index, hash)."""
    level, width = 1, 2
    while width <= len(leaves):
        for index in range(len(leaves) // width):
            yield level, index, mth(leaves[index * width : (index + 1) * width])
        level, width = level + 1, width * 2
