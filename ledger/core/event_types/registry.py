"""The type registry: which (flow, type) pairs exist, their payload schemas and their rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from ledger.core.errors import InvalidEvent
from ledger.core.event_types import finance, information, logistics
from ledger.core.event_types.spec import EventType, Schema, by_name


class EventTypeRegistry:
    """Validates payloads against the schema of their (flow, type) and serves the rules."""

    def __init__(self, flows: Mapping[str, Iterable[EventType]]) -> None:
        checker = FormatChecker()
        self._types = {flow: by_name(list(types)) for flow, types in flows.items()}
        self._validators = {
            flow: {
                name: Draft202012Validator(etype.schema, format_checker=checker)
                for name, etype in types.items()
            }
            for flow, types in self._types.items()
        }

    def flows(self) -> list[str]:
        return sorted(self._types)

    def types(self, flow: str) -> list[str]:
        return sorted(self._types.get(flow, {}))

    def event_type(self, flow: str, etype: str) -> EventType:
        """The declaration of ``etype`` in ``flow``, or :class:`InvalidEvent`."""
        if flow not in self._types:
            raise InvalidEvent(f"unknown flow {flow!r}", field="flow")
        try:
            return self._types[flow][etype]
        except KeyError:
            raise InvalidEvent(f"unknown type {etype!r} for flow {flow!r}", field="type") from None

    def schema(self, flow: str, etype: str) -> Schema:
        return dict(self.event_type(flow, etype).schema)

    def catalogue(self) -> list[dict[str, Any]]:
        """Every type with its schema, authority and confirmation rule, by flow then name."""
        return [
            self._types[flow][name].catalogue_entry()
            for flow in self.flows()
            for name in self.types(flow)
        ]

    def validate(self, flow: str, etype: str, payload: Any) -> None:
        """Raise :class:`InvalidEvent` naming the first offending payload field."""
        if not isinstance(payload, dict):
            raise InvalidEvent("must be a JSON object", field="payload")
        self.event_type(flow, etype)
        validator = self._validators[flow][etype]
        error = next(iter(sorted(validator.iter_errors(payload), key=lambda e: e.path)), None)
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path)
            field = f"payload.{where}" if where else "payload"
            message = error.message
            described = error.schema.get("description") if isinstance(error.schema, dict) else None
            if error.validator == "enum" and described:
                message = f"{error.instance!r} is not {described}"
            raise InvalidEvent(message, field=field)


REGISTRY = EventTypeRegistry(
    {"information": information.TYPES, "logistics": logistics.TYPES, "finance": finance.TYPES}
)
