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
