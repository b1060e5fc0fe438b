"""Who may say what: an event type's authority rule applied to one event.

Pure: the caller supplies the actor's roles as the registry stood when the event was
recorded (the appender under its lock, a verifier from its replayed registry), so the same
function refuses an unauthorised append and fails the verification of a ledger into which
one was forced.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from ledger.core.errors import NotAuthorised
from ledger.core.event_types.spec import EventType
from ledger.core.events import Event
from ledger.core.keybook import REGISTRY_TYPES, KeyBook

if TYPE_CHECKING:
    from ledger.core.event_types.registry import EventTypeRegistry


def check_authority(
    etype: EventType, actor: str, payload: Mapping[str, Any], roles: Collection[str]
) -> None:
    """Raise :class:`NotAuthorised` naming the rule unless ``actor`` may write this event."""
    rule = etype.authority
    if not rule.roles.intersection(roles):
        held = ", ".join(sorted(roles)) or "none"
        raise NotAuthorised(
            f"{etype.name} is written by a participant with role "
            f"{' or '.join(sorted(rule.roles))}; {actor} holds {held}",
            field="actor",
            rule=f"{etype.name}: {rule.describe()}",
        )
    for name in rule.actor_fields:
        if payload.get(name) != actor:
            raise NotAuthorised(
                f"payload.{name} must name the actor {actor!r}",
                field=f"payload.{name}",
                rule=f"{etype.name}: {rule.describe()}",
            )
    if rule.actor_one_of and actor not in {payload.get(name) for name in rule.actor_one_of}:
        names = " or ".join(f"payload.{name}" for name in rule.actor_one_of)
        raise NotAuthorised(
            f"{names} must name the actor {actor!r}",
            field=f"payload.{rule.actor_one_of[0]}",
            rule=f"{etype.name}: {rule.describe()}",
        )


def bound_parties(etype: EventType, actor: str, payload: Mapping[str, Any]) -> tuple[str, ...]:
    """The parties (other than the actor) whose confirmation the claim waits for."""
    if etype.confirmation is None:
        return ()
    named = (payload.get(name) for name in etype.confirmation.parties)
    return tuple(sorted({p for p in named if isinstance(p, str) and p and p != actor}))


def authorise(registry: EventTypeRegistry, book: KeyBook, event: Event) -> None:
    """The event's authority rule against its actor's roles as the registry stands.

    Registry events are the operator's and are judged by the registry itself
    (:func:`~ledger.core.keybook.apply_registry_event`).
    """
    if event.type in REGISTRY_TYPES:
        return
    person = book.participants.get(event.actor)
    roles = person.roles if person is not None else ()
    check_authority(registry.event_type(event.flow, event.type), event.actor, event.payload, roles)
