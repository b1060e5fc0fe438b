"""The ledger's signed promise, given at append time: this event is at this place.

Before a checkpoint covers an entry, a participant holds only the ledger's word that it
was accepted. The append receipt makes that word checkable and binding: the ledger key
signs (origin, seq, event id, leaf hash, recording time) under a domain prefix, so the
receipt can never be confused with a checkpoint note. A participant keeps it; once a
checkpoint covers ``seq``, an inclusion proof of ``leaf_hash`` settles it — and a ledger
that signed a receipt and then dropped or moved the entry is caught by its own signature.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ledger.core.canonical import canonicalize
from ledger.core.entry import LedgerEntry
from ledger.core.errors import SignatureInvalid
from ledger.core.events import format_timestamp
from ledger.core.keys import SigningKey, verify_signature

DOMAIN = b"threeflow/append-receipt/v1\n"


@dataclass(frozen=True, slots=True)
class AppendReceipt:
    origin: str
    seq: int
    event_id: str
    leaf_hash: str
    recorded_at: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "seq": self.seq,
            "event_id": self.event_id,
            "leaf_hash": self.leaf_hash,
            "recorded_at": self.recorded_at,
        }

    def message(self) -> bytes:
        """The signed bytes: the domain, then the RFC 8785 bytes of :meth:`body`.

        Written out for the receipts the ledger issues (and their checks): an event id
        (a lower-case UUID), a hex leaf hash and a :func:`format_timestamp` time hold only
        characters JSON writes as themselves, the origin's canonical string is kept, and
        RFC 8785 orders the five keys by name. Any other receipt (a field JSON escapes, a
        seq out of range) goes through the encoder: both give the same bytes (tested).
        """
        if (
            _SAFE.fullmatch(self.event_id)
            and _SAFE.fullmatch(self.leaf_hash)
            and _SAFE.fullmatch(self.recorded_at)
            and type(self.seq) is int
            and 0 <= self.seq <= _INT_LIMIT
        ):
            return b"".join((
                DOMAIN, b'{"event_id":"', self.event_id.encode(), b'","leaf_hash":"',
                self.leaf_hash.encode(), b'","origin":', _canonical_origin(self.origin),
                b',"recorded_at":"', self.recorded_at.encode(), b'","seq":',
                str(self.seq).encode(), b"}",
            ))  # fmt: skip
        return self.general_message()

    def general_message(self) -> bytes:
        """:meth:`message` through the general RFC 8785 encoder."""
        return DOMAIN + canonicalize(self.body())

    @classmethod
    def issue(cls, key: SigningKey, origin: str, entry: LedgerEntry) -> AppendReceipt:
        """The ledger's signed receipt for an entry it has just appended (or holds)."""
        return cls(
            origin, entry.seq, entry.event.id, entry.leaf_hash.hex(),
            format_timestamp(entry.recorded_at),
        ).signed(key)  # fmt: skip

    @classmethod
    def issue_all(
        cls, key: SigningKey, origin: str, entries: Sequence[LedgerEntry], pool: Executor | None
    ) -> Callable[[], list[AppendReceipt]]:
        """Receipts for ``entries`` (each :meth:`issue`'s), signed on ``pool``'s threads.

        Returns at once; calling the result waits for the receipts, in order, so the caller
        can do other work meanwhile (libsodium signs without the GIL).
        """
        unsigned = [
            cls(origin, e.seq, e.event.id, e.leaf_hash.hex(), format_timestamp(e.recorded_at))
            for e in entries
        ]
        if pool is None or len(unsigned) <= _RECEIPT_PART:
            done = _sign_all(key, unsigned)
            return lambda: done
        parts = [
            pool.submit(_sign_all, key, unsigned[start : start + _RECEIPT_PART])
            for start in range(0, len(unsigned), _RECEIPT_PART)
        ]
        return lambda: [receipt for part in parts for receipt in part.result()]

    def signed(self, key: SigningKey) -> AppendReceipt:
        signature = key.sign(self.message()).hex()
        return AppendReceipt(
            self.origin, self.seq, self.event_id, self.leaf_hash, self.recorded_at, signature
        )

    def verify(self, ledger_public_key: bytes) -> AppendReceipt:
        """Raise :class:`SignatureInvalid` unless the pinned ledger key signed this receipt."""
        try:
            signature = bytes.fromhex(self.signature)
        except ValueError:
            raise SignatureInvalid(
                "the receipt's signature is not hex", field="signature"
            ) from None
        verify_signature(ledger_public_key, self.message(), signature)
        return self

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "signature": self.signature}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AppendReceipt:
        try:
            return cls(
                origin=str(data["origin"]),
                seq=int(data["seq"]),
                event_id=str(data["event_id"]),
                leaf_hash=str(data["leaf_hash"]),
                recorded_at=str(data["recorded_at"]),
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError):
            raise SignatureInvalid("not an append receipt", field="receipt") from None


_RECEIPT_PART = 128


def _sign_all(key: SigningKey, receipts: list[AppendReceipt]) -> list[AppendReceipt]:
    return [receipt.signed(key) for receipt in receipts]


@lru_cache(maxsize=64)
def _canonical_origin(origin: str) -> bytes:
    """A ledger's origin as an RFC 8785 string (one or a few origins per process)."""
    return canonicalize(origin)


_SAFE = re.compile(r"[0-9A-Za-z:.\-]*")  # characters JSON writes as themselves
_INT_LIMIT = 2**53 - 1
