"""Schema fragments shared by the three flows (money, quantities, ids)."""

from __future__ import annotations

from ledger.core.currencies import CODES
from ledger.core.event_types.spec import Schema

ID: Schema = {"type": "string", "minLength": 1, "maxLength": 200}
UUID: Schema = {
    "type": "string",
    "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
}
MONEY: Schema = {
    "type": "object",
    "required": ["amount_minor", "currency"],
    "properties": {
        "amount_minor": {"type": "integer", "minimum": 0},
        "currency": {"enum": list(CODES), "description": "an ISO 4217 code"},
    },
    "additionalProperties": False,
}
QUANTITY: Schema = {"type": "number", "minimum": 0}
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
DATE: Schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
COUNTRY: Schema = {"type": "string", "pattern": "^[A-Z]{2}$"}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object schema with these required and optional properties; extra keys allowed."""
    props = dict(required)
    props.update(optional or {})
    return {"type": "object", "required": sorted(required), "properties": props}
