"""The type registry: which (flow, type) pairs exist and what their payloads must hold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from ledger.core.errors import InvalidEvent
from ledger.core.event_types import finance, information, logistics
from ledger.core.event_types.common import Schema


class EventTypeRegistry:
    """Validates payloads against the schema of their (flow, type)."""

    def __init__(self, flows: Mapping[str, Mapping[str, Schema]]) -> None:
        checker = FormatChecker()
        self._validators = {
            flow: {
                name: Draft202012Validator(schema, format_checker=checker)
                for name, schema in types.items()
            }
            for flow, types in flows.items()
        }

    def types(self, flow: str) -> list[str]:
        return sorted(self._validators.get(flow, {}))

    def schema(self, flow: str, etype: str) -> Schema:
        schema = self._validator(flow, etype).schema
        return dict(schema) if isinstance(schema, Mapping) else {}

    def _validator(self, flow: str, etype: str) -> Draft202012Validator:
        if flow not in self._validators:
            raise InvalidEvent(f"unknown flow {flow!r}", field="flow")
        try:
            return self._validators[flow][etype]
        except KeyError:
            raise InvalidEvent(f"unknown type {etype!r} for flow {flow!r}", field="type") from None

    def validate(self, flow: str, etype: str, payload: Any) -> None:
        """Raise :class:`InvalidEvent` naming the first offending payload field."""
        if not isinstance(payload, dict):
            raise InvalidEvent("must be a JSON object", field="payload")
        validator = self._validator(flow, etype)
        error = next(iter(sorted(validator.iter_errors(payload), key=lambda e: e.path)), None)
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path)
            field = f"payload.{where}" if where else "payload"
            raise InvalidEvent(error.message, field=field)


REGISTRY = EventTypeRegistry(
    {"information": information.TYPES, "logistics": logistics.TYPES, "finance": finance.TYPES}
)
