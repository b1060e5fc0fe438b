"""A ledger entry: an event at its place in the log, with its leaf and chain hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.core.events import Event, format_timestamp


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    seq: int
    event: Event
    leaf_hash: bytes
    chain_hash: bytes
    recorded_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "event": self.event.to_json(),
            "leaf_hash": self.leaf_hash.hex(),
            "chain_hash": self.chain_hash.hex(),
            "recorded_at": format_timestamp(self.recorded_at),
        }


@dataclass(frozen=True, slots=True)
class Appended(LedgerEntry):
    """An entry as an append returns it: ``replayed`` when the event was there already.

    Resubmitting an event (same id, same bytes) is idempotent: the ledger answers with the
    entry it already holds, flagged, so a caller never needs to compare sizes to tell.
    """

    replayed: bool = False

    @property
    def entry(self) -> LedgerEntry:
        """The plain entry, as a read of the ledger returns it."""
        return LedgerEntry(self.seq, self.event, self.leaf_hash, self.chain_hash, self.recorded_at)
