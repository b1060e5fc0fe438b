"""The ledger's hash functions, one place for every prefix and every formula.

Leaf and interior hashes follow RFC 9162 section 2.1.1 (0x00 and 0x01 domain prefixes), so
any RFC 6962/9162 verifier can check our proofs. The hash chain is threeflow's own:
``chain[n] = SHA-256(chain[n-1] || leaf[n])`` with 32 zero bytes before the first entry.
"""

from __future__ import annotations

import hashlib

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
GENESIS_CHAIN = bytes(HASH_SIZE)

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash of arbitrary leaf input."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def entry_leaf_hash(canonical: bytes, signature: bytes) -> bytes:
    """Leaf hash of a ledger entry: the signed event's canonical bytes, then its signature."""
    return hashlib.sha256(_LEAF_PREFIX + canonical + signature).digest()


def chain_hash(previous: bytes, leaf: bytes) -> bytes:
    """Next link of the hash chain."""
    return hashlib.sha256(previous + leaf).digest()
