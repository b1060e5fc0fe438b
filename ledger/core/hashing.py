"""The ledger's hash functions, one place for every prefix and every formula.

Leaf and interior hashes follow RFC 9162 section 2.1.1 (0x00 and 0x01 domain prefixes), so
any RFC 6962/9162 verifier can check our proofs. The hash chain is threeflow's own:
``chain[n] = SHA-256(chain[n-1] || leaf[n])`` with 32 zero bytes before the first entry.

An entry's leaf input has a format. Format 1 (the first ledgers): ``canonical ||
signature``. Format 2 (every entry written now) puts the ledger's recording time under the
hash: ``0x02 || recorded_at || canonical || signature``, the time as microseconds since the
Unix epoch in 8 big-endian bytes. Canonical bytes are a JSON object and start with ``{``,
so no format-1 input can be read as format 2.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

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


FORMAT_PLAIN = 1
FORMAT_RECORDED = 2
CURRENT_FORMAT = FORMAT_RECORDED
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (the time field of a format-2 leaf)."""
    return (moment - _EPOCH) // _MICRO


def entry_leaf(fmt: int, canonical: bytes, signature: bytes, recorded_at: datetime) -> bytes:
    """The leaf hash of an entry of format ``fmt`` (see the module docstring)."""
    if fmt == FORMAT_PLAIN:
        return entry_leaf_hash(canonical, signature)
    if fmt == FORMAT_RECORDED:
        stamp = micros(recorded_at).to_bytes(8, "big")
        return hashlib.sha256(_LEAF_PREFIX + b"\x02" + stamp + canonical + signature).digest()
    raise ValueError(f"unknown entry format {fmt}")
