"""GS1 company prefix authority: who may create which identities. Pure but for one read.

A participant may commission (an ObjectEvent ADD, a transformation's outputs, a lot in the
ilmd) or aggregate (the parent of an AggregationEvent ADD) only identifiers under a GS1
company prefix registered to it (``gs1_prefixes`` in its registration). Identifiers that
are no GS1 key (a ``urn:uuid``, a private URI) are nobody's brand and stay free. Checked
on every capture before anything is written, and by the EPCIS projection for entries a
participant signs itself, so neither path lets one brand commission under another's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, select

from ledger.core.errors import Forbidden
from ledger.storage.models import Participant
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.index import commissioned_lots

_DL = "https://id.gs1.org/"
_LEADING_DIGIT = frozenset({"01", "02", "00", "8003"})
"""Keys whose value starts with an indicator or extension digit before the company prefix."""


def key_digits(identifier: str) -> str | None:
    """The digits a GS1 key's company prefix starts, or ``None`` for an id that is no GS1 key."""
    if not identifier.startswith(_DL):
        return None
    parts = identifier[len(_DL) :].split("/")
    if len(parts) < 2 or not parts[1][:1].isdigit():
        return None
    ai, value = parts[0], parts[1]
    return value[1:] if ai in _LEADING_DIGIT else value


def created(event: EpcisEvent) -> list[tuple[str, str]]:
    """``(identifier, field)`` of every identity the event commissions or aggregates into."""
    out: list[tuple[str, str]] = []
    if event.event_type == "ObjectEvent" and event.action == "ADD":
        out += [(i, "epcList") for i in event.epc_list]
        out += [(i, "quantityList") for i in event.quantity_classes("quantityList")]
        out += [(lot, "ilmd") for lot in commissioned_lots(event)]
    if event.event_type == "TransformationEvent" and not event.is_error_declaration:
        out += [(i, "outputEPCList") for i in (*event.output_epcs, *event.output_classes)]
    if event.event_type == "AggregationEvent" and event.action == "ADD" and event.parent_id:
        out.append((event.parent_id, "parentID"))
    return out


def check(
    events: Iterable[tuple[int, EpcisEvent]], participant: str, prefixes: Sequence[str]
) -> None:
    """Raise :class:`Forbidden` at the first identity outside ``prefixes``."""
    for index, event in events:
        for identifier, field in created(event):
            digits = key_digits(identifier)
            if digits is not None and not any(digits.startswith(p) for p in prefixes):
                raise Forbidden(
                    f"{participant} may not create {identifier}: its GS1 company prefix is not "
                    f"registered to {participant} (registered: {', '.join(prefixes) or 'none'})",
                    field=f"epcisBody.eventList[{index}].{field}",
                )


def registered(connection: Connection, participant: str) -> tuple[str, ...]:
    row = connection.execute(
        select(Participant.gs1_prefixes).where(Participant.id == participant)
    ).first()
    return tuple(row[0] or ()) if row is not None else ()
