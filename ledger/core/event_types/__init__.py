"""Event types, one registry per flow, each with a JSON Schema for its payload.

The credit model and the finance service read payloads by field name; the schemas are the
promise that those fields are there and well typed. Add a type by adding an entry to the
module of its flow; nothing else needs to change.
"""

from ledger.core.event_types.registry import REGISTRY, EventTypeRegistry

__all__ = ["REGISTRY", "EventTypeRegistry"]
