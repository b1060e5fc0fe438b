"""A trace: every event that touched an item upstream or downstream, proven against one checkpoint.

:func:`trace` walks the item links (see :mod:`graph`), gathers the EPCIS entries that name
any item reached, sets aside voided events (an error declaration names them) and events
outside the time window, attaches the other flows' entries that name a business
transaction reached, and proves every entry against one signed checkpoint: the latest, or
a new one cut when the latest does not cover them. The notary's key registration is
included (and proven) so that :func:`~ledger.traceability.verify.verify_trace` can check
each capture's signature from the pinned ledger key alone.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ledger.core.checkpoint import SignedCheckpoint
from ledger.core.errors import NotFound
from ledger.core.events import format_timestamp
from ledger.log import Ledger
from ledger.storage.models import ParticipantKey
from ledger.traceability import store
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.epcis.digital_link import canonical_id_or_self
from ledger.traceability.errors import QueryError
from ledger.traceability.graph import DIRECTIONS, Reach, walk
from ledger.verification.trace import FORMAT


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise QueryError("must be later than since", field="until")

    def holds(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment < self.until
        )


class _Validity:
    """Which EPCIS entries count: inside the window, not a declaration, not voided."""

    def __init__(self, connection: Connection, window: Window) -> None:
        self.connection = connection
        self.window = window
        self.rows: dict[int, Any] = {}
        self.voided_by: dict[int, int] = {}

    def load(self, seqs: Collection[int]) -> None:
        missing = [s for s in seqs if s not in self.rows]
        if not missing:
            return
        rows = store.index_rows(self.connection, missing)
        self.rows.update(rows)
        ids = {r.hash_id for r in rows.values()} | {r.event_id for r in rows.values() if r.event_id}
        declared = store.declarations_for(self.connection, ids)
        for seq, row in rows.items():
            if row.declared_event_id is not None:
                continue
            by = declared.get(row.hash_id) or (row.event_id and declared.get(row.event_id))
            if by:
                self.voided_by[seq] = by

    def allowed(self, seqs: Collection[int]) -> set[int]:
        self.load(seqs)
        return {
            s
            for s in seqs
            if s in self.rows
            and s not in self.voided_by
            and self.rows[s].declared_event_id is None
            and self.window.holds(self.rows[s].event_time)
        }


def trace(
    ledger: Ledger,
    item: str,
    direction: str = "backward",
    window: Window | None = None,
) -> dict[str, Any]:
    """The trace document of ``item`` (an EPC, LGTIN or SSCC, as URN or Digital Link)."""
    if direction not in DIRECTIONS:
        raise QueryError(f"must be one of {', '.join(DIRECTIONS)}", field="direction")
    window = window or Window()
    start = canonical_id_or_self(item)
    with ledger.reading() as connection:
        validity = _Validity(connection, window)

        def fetch_links(items: Collection[str], forward: bool) -> list[Any]:
            return store.links_touching(connection, items, forward=forward)

        reach = walk(start, direction, fetch_links, validity.allowed)
        naming = store.seqs_naming(connection, reach.items)
        if not naming:
            raise NotFound(f"no EPCIS event names {item}", field="id")
        live = sorted(validity.allowed(naming), key=lambda s: (validity.rows[s].event_time, s))
        voided = sorted(
            s
            for s in naming
            if s in validity.voided_by and window.holds(validity.rows[s].event_time)
        )
        related = store.other_flow_refs(connection, reach.transactions)
        epcis_seqs = {*live, *voided, *(validity.voided_by[s] for s in voided)}
        entries = store.entries(connection, epcis_seqs)
        key_seqs = _key_entries(connection, {e.event.key_id for e in entries.values()})
        others = key_seqs | {s for seqs in related.values() for s in seqs}
        entries.update(store.entries(connection, others - epcis_seqs))
        all_seqs = epcis_seqs | others
    checkpoint = _covering_checkpoint(ledger, max(all_seqs))
    size = checkpoint.checkpoint.tree_size
    proofs = _proofs(ledger, sorted(all_seqs), size)
    rows = validity.rows
    return {
        "format": FORMAT,
        "origin": ledger.origin,
        "query": {
            "id": item,
            "canonical_id": start,
            "direction": direction,
            "since": format_timestamp(window.since) if window.since else None,
            "until": format_timestamp(window.until) if window.until else None,
        },
        "checkpoint": checkpoint.note,
        "items": sorted(reach.items),
        "links": _links(reach, set(live)),
        "events": [_summary(rows[s]) for s in live],
        "voided": [{**_summary(rows[s]), "declared_by": validity.voided_by[s]} for s in voided],
        "business_transactions": [
            {"id": bt, "entries": related.get(bt, [])} for bt in sorted(reach.transactions)
        ],
        "keys": sorted(key_seqs),
        "entries": [
            {
                "seq": s,
                "event": entries[s].event.to_json(),
                "recorded_at": format_timestamp(entries[s].recorded_at),
                "format": entries[s].format,
                "audit_path": proofs[s],
            }
            for s in sorted(all_seqs)
        ],
    }


def _summary(row: Any) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "hash_id": row.hash_id,
        "event_type": row.event_type,
        "event_time": format_timestamp(row.event_time),
    }


def _links(reach: Reach, live: set[int]) -> list[dict[str, Any]]:
    return [
        {"from": link.from_item, "to": link.to_item, "kind": link.kind, "seq": seq}
        for link, seq in sorted(
            reach.links, key=lambda p: (p[1], p[0].kind, p[0].from_item, p[0].to_item)
        )
        if seq in live
    ]


def _key_entries(connection: Connection, key_ids: Collection[str]) -> set[int]:
    """The entries that registered the keys the given entries were signed with."""
    rows = connection.execute(
        select(ParticipantKey.added_seq).where(ParticipantKey.key_id.in_(list(key_ids)))
    )
    return set(rows.scalars())


def _covering_checkpoint(ledger: Ledger, last_seq: int) -> SignedCheckpoint:
    try:
        latest = ledger.latest_checkpoint()
        if latest.checkpoint.tree_size > last_seq:
            return latest
    except NotFound:
        pass
    return ledger.checkpoint()


def _proofs(ledger: Ledger, seqs: list[int], size: int) -> dict[int, list[str]]:
    """Inclusion proofs of ``seqs`` in the tree of ``size``, with one read of the nodes."""
    paths = ledger.proofs.audit_paths(seqs, size)
    return {s: [h.hex() for h in path] for s, path in paths.items()}


@dataclass(frozen=True, slots=True)
class Observed:
    """One live EPCIS event as read back from its entry."""

    seq: int
    event: EpcisEvent
    captured_by: str


def live_events(connection: Connection, items: Collection[str]) -> list[Observed]:
    """Live (not voided, not declaration) EPCIS events naming ``items``, in time order."""
    validity = _Validity(connection, Window())
    seqs = validity.allowed(store.seqs_naming(connection, items))
    entries = store.entries(connection, seqs)
    out = []
    for seq in seqs:
        payload = entries[seq].event.payload
        event = EpcisEvent.from_event(payload["epcis"], algorithm=str(payload["hash_algorithm"]))
        out.append(Observed(seq, event, str(payload.get("captured_by", ""))))
    return sorted(out, key=lambda o: (o.event.event_time, o.seq))
