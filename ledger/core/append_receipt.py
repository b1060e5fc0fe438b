"""The ledger's signed promise, given at append time: this event is at this place.

Before a checkpoint covers an entry, a participant holds only the ledger's word that it
was accepted. The append receipt makes that word checkable and binding: the ledger key
signs (origin, seq, event id, leaf hash, recording time) under a domain prefix, so the
receipt can never be confused with a checkpoint note. A participant keeps it; once a
checkpoint covers ``seq``, an inclusion proof of ``leaf_hash`` settles it — and a ledger
that signed a receipt and then dropped or moved the entry is caught by its own signature.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
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
            done = [receipt.signed(key) for receipt in unsigned]
            return lambda: done
        parts = [
            pool.submit(_sign_all, key, unsigned[start : start + _RECEIPT_PART])
            for start in range(0, len(unsigned), _RECEIPT_PART)
        ]
        return lambda: [receipt for part in parts for receipt in part.result()]

    def signed(self, key: SigningKey) -> AppendReceipt:
        return AppendReceipt(**self.body(), signature=key.sign(self.message()).hex())

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
