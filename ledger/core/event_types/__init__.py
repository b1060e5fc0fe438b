"""Event types, one module per flow, each declared as data: payload schema and rules.

A declaration (:func:`~.spec.declare`) holds the JSON Schema of the payload, the authority
rule (which roles may be the actor, which payload fields must name it) and, for claims that
bind another party, the confirmation rule. The appender enforces them, verifiers replay
them and the catalogue publishes them. Add a type by adding a declaration to the module of
its flow; nothing else needs to change.
"""

from ledger.core.event_types.authority import bound_parties, check_authority
from ledger.core.event_types.registry import REGISTRY, EventTypeRegistry
from ledger.core.event_types.spec import (
    PARTICIPANT_ROLES,
    ROLES,
    Authority,
    Confirmation,
    EventType,
    declare,
)

__all__ = [
    "PARTICIPANT_ROLES",
    "REGISTRY",
    "ROLES",
    "Authority",
    "Confirmation",
    "EventType",
    "EventTypeRegistry",
    "bound_parties",
    "check_authority",
    "declare",
]
