"""A ledger entry: an event at its place in the log, with its leaf and chain hashes.

``recorded_at`` is when the ledger accepted the event; in format 2 it is under the leaf
hash, and keys are judged valid or not at that time. An event that says it happened well
before it was recorded is ``backfilled``: a firm may bring its history, and a reader sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ledger.core.events import Event, format_timestamp
from ledger.core.hashing import CURRENT_FORMAT

BACKFILL_AFTER = timedelta(days=1)
"""An event recorded more than this after it says it occurred is flagged as backfilled."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    seq: int
    event: Event
    leaf_hash: bytes
    chain_hash: bytes
    recorded_at: datetime
    format: int = CURRENT_FORMAT

    @property
    def backfilled(self) -> bool:
        return self.recorded_at - self.event.occurred_at > BACKFILL_AFTER

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "event": self.event.to_json(),
            "leaf_hash": self.leaf_hash.hex(),
            "chain_hash": self.chain_hash.hex(),
            "recorded_at": format_timestamp(self.recorded_at),
            "format": self.format,
            "backfilled": self.backfilled,
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
        return LedgerEntry(
            self.seq, self.event, self.leaf_hash, self.chain_hash, self.recorded_at, self.format
        )
