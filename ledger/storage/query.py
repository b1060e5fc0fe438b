"""Entry queries with keyset (cursor) pagination.

A cursor is the last sequence number a page returned; the next page asks for ``seq > cursor``
so every page is an index range scan, as fast at entry ten million as at entry ten. Filters
by participant (actor or subject) and item go through ``entry_refs`` (primary key
``(ref, seq, role)``), the others through ``(flow, seq)``, ``(type, seq)`` and
``(occurred_at, seq)`` indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from ledger.core.entry import LedgerEntry
from ledger.core.errors import InvalidEvent
from ledger.core.events import FLOWS, check_identifier
from ledger.storage.models import Entry, EntryRef
from ledger.trust.tables import Claim

MAX_LIMIT = 1000
CLAIM_STATUSES = ("pending", "confirmed", "rejected")


@dataclass(frozen=True, slots=True)
class EntryQuery:
    """What to look for. Every filter is optional; they combine with AND."""

    after: int | None = None
    start_seq: int | None = None
    end_seq: int | None = None
    participant: str | None = None
    item: str | None = None
    flow: str | None = None
    type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    claim_status: str | None = None  # pending, confirmed or rejected claims only
    visible_to: frozenset[str] | None = None  # entries naming one of these (None: all)

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidEvent(f"must be between 1 and {MAX_LIMIT}", field="limit")
        if self.flow is not None and self.flow not in FLOWS:
            raise InvalidEvent(f"unknown flow; expected one of {', '.join(FLOWS)}", field="flow")
        for name in ("after", "start_seq", "end_seq"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidEvent("must not be negative", field=name)
        for name in ("participant", "item"):
            value = getattr(self, name)
            if value is not None:
                check_identifier(value, name)
        for name in ("since", "until"):  # before comparing them: naive vs aware raises
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidEvent("must carry a time zone", field=name)
        if self.since and self.until and self.since >= self.until:
            raise InvalidEvent("must be later than since", field="until")
        if self.claim_status not in (None, *CLAIM_STATUSES):
            raise InvalidEvent(f"must be one of {', '.join(CLAIM_STATUSES)}", field="claim_status")

    def statement(self) -> Select[Any]:
        stmt = select(Entry.__table__)
        for ref, role in ((self.participant, None), (self.item, "subject")):
            if ref is None:
                continue
            refs = select(EntryRef.seq).where(EntryRef.ref == ref)
            if role is not None:
                refs = refs.where(EntryRef.role == role)
            stmt = stmt.where(Entry.seq.in_(refs))
        if self.visible_to is not None:
            seen = select(EntryRef.seq).where(EntryRef.ref.in_(sorted(self.visible_to)))
            stmt = stmt.where(Entry.seq.in_(seen))
        if self.claim_status is not None:
            claims = select(Claim.seq).where(Claim.status == self.claim_status)
            stmt = stmt.where(Entry.seq.in_(claims))
        if self.flow is not None:
            stmt = stmt.where(Entry.flow == self.flow)
        if self.type is not None:
            stmt = stmt.where(Entry.type == self.type)
        if self.since is not None:
            stmt = stmt.where(Entry.occurred_at >= self.since)
        if self.until is not None:
            stmt = stmt.where(Entry.occurred_at < self.until)
        low = max(
            (
                v
                for v in (self.start_seq, None if self.after is None else self.after + 1)
                if v is not None
            ),
            default=None,
        )
        if low is not None:
            stmt = stmt.where(Entry.seq >= low)
        if self.end_seq is not None:
            stmt = stmt.where(Entry.seq < self.end_seq)
        return stmt.order_by(Entry.seq).limit(self.limit + 1)


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[LedgerEntry]
    next_cursor: int | None
