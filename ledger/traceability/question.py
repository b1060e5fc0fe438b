"""What a trace asks and the rules every answer is computed by, server and verifier alike. Pure.

The ledger computes a trace from its index; ``threeflow verify-trace`` recomputes it from
the proven entries the file carries. Both must apply the same rules, so they live here:
the time window (it filters events, never the links followed through time), which
error declaration voids which event (CBV: by ``eventID`` when both carry one, else by the
event hash ID, which CBV computes without ``errorDeclaration`` and ``eventID``), and the
summary printed for each event (every field of it is checked against the proven event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.core.events import Event, format_timestamp
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.errors import QueryError
from ledger.traceability.graph import DIRECTIONS

NOTARY = "epcis-notary"
"""The participant that signs captures sent without the sender's own signature."""

STATEMENT_DOMAIN = b"threeflow/answer-statement/v1\n"
"""Prefix of what the ledger key signs over an answer (never a checkpoint note or an event)."""


@dataclass(frozen=True, slots=True)
class Window:
    """``since <= eventTime < until``: which events an answer lists (links are followed anyway)."""

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise QueryError("must be later than since", field="until")

    def holds(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment < self.until
        )


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise QueryError(f"must be one of {', '.join(DIRECTIONS)}", field="direction")
    return direction


def voids(
    declaration_event_id: str | None,
    declaration_hash_id: str,
    event_id: str | None,
    hash_id: str,
) -> bool:
    """Whether an error declaration (its eventID and hash ID) voids an event (its own two).

    EPCIS 2.0 identifies the erroneous event by the ``eventID`` the declaration repeats;
    without an eventID on either side, the declaration repeats the event's fields, so their
    hash IDs are equal (CBV leaves ``errorDeclaration`` and ``eventID`` out of the hash).
    """
    if declaration_event_id is not None and event_id is not None:
        return declaration_event_id == event_id
    return declaration_hash_id == hash_id


def event_voids(declaration: EpcisEvent, event: EpcisEvent) -> bool:
    return (
        declaration.is_error_declaration
        and not event.is_error_declaration
        and voids(declaration.event_id, declaration.hash_id, event.event_id, event.hash_id)
    )


Seen = tuple[EpcisEvent, str, str]
"""A captured EPCIS event, who captured it, and who signed its entry (it or the notary)."""


def summary(seq: int, event: EpcisEvent, captured_by: str, signed_by: str) -> dict[str, Any]:
    """What an answer prints about one event; the verifier recomputes it field by field."""
    return {
        "seq": seq,
        "hash_id": event.hash_id,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "event_time": format_timestamp(event.event_time),
        "action": event.action,
        "biz_step": event.biz_step,
        "disposition": event.disposition,
        "read_point": event.read_point,
        "biz_location": event.biz_location,
        "captured_by": captured_by,
        "signed_by": signed_by,
    }


def captured(entry: Event, *, recompute: bool = True) -> Seen:
    """The EPCIS event an ``epcis.captured`` entry carries, who captured it, who signed it.

    ``recompute=False`` takes the hash ID the entry states (the ledger's own reads: it was
    recomputed at capture); a verifier recomputes it.
    """
    payload = entry.payload
    algorithm = str(payload["hash_algorithm"])
    if recompute:
        event = EpcisEvent.from_event(payload["epcis"], algorithm=algorithm)
    else:
        event = EpcisEvent.stored(payload["epcis"], str(payload["hash_id"]), algorithm)
    return event, str(payload.get("captured_by", entry.actor)), entry.actor
