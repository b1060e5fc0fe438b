"""Information flow: who trades with whom, what was ordered, invoiced, reviewed, disputed."""

from __future__ import annotations

from ledger.core.event_types.common import COUNTRY, DATE, ID, MONEY, TIMESTAMP, Schema, obj

_ROLES: Schema = {
    "type": "array",
    "minItems": 1,
    "items": {
        "enum": [
            "operator",
            "seller",
            "buyer",
            "warehouse",
            "carrier",
            "customs",
            "lender",
            "auditor",
            "platform",
            "insurer",
        ]
    },
}

TYPES: dict[str, Schema] = {
    # The registry of participants and keys is itself on the ledger, signed by the operator,
    # so an offline verifier learns every participant key from signed entries.
    "participant.registered": obj(
        {"participant_id": ID, "legal_name": {"type": "string", "minLength": 1}, "roles": _ROLES},
        {"country": COUNTRY},
    ),
    "participant.key_added": obj(
        {
            "participant_id": ID,
            "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "public_key": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "valid_from": TIMESTAMP,
        },
        {"valid_until": {"type": ["string", "null"], "format": "date-time"}},
    ),
    "participant.key_revoked": obj(
        {"participant_id": ID, "key_id": {"type": "string"}, "revoked_at": TIMESTAMP},
        {"reason": {"type": "string"}},
    ),
    "listing.published": obj({"listing_id": ID, "sku": ID, "price": MONEY}, {"channel": ID}),
    "order.placed": obj(
        {"order_id": ID, "seller": ID, "buyer": ID, "total": MONEY},
        {
            "terms_days": {"type": "integer", "minimum": 0},
            "channel": ID,
            "lines": {"type": "array"},
        },
    ),
    "order.accepted": obj({"order_id": ID}),
    "order.cancelled": obj({"order_id": ID}, {"reason": {"type": "string"}}),
    "invoice.issued": obj(
        {"invoice_id": ID, "order_id": ID, "amount": MONEY, "due_date": DATE},
    ),
    "review.posted": obj(
        {"order_id": ID, "rating": {"type": "integer", "minimum": 1, "maximum": 5}},
        {"text": {"type": "string"}},
    ),
    "dispute.opened": obj({"dispute_id": ID, "order_id": ID, "reason": {"type": "string"}}),
    "dispute.resolved": obj(
        {"dispute_id": ID, "outcome": {"enum": ["buyer_favoured", "seller_favoured", "settled"]}},
        {"refund": MONEY},
    ),
    "certification.issued": obj(
        {"certificate_id": ID, "standard": {"type": "string"}, "issuer": ID},
        {"valid_until": DATE},
    ),
    # Added for the simulations: logins as the platform observed them (fraud signals).
    "account.login": obj(
        {
            "account": ID,
            "ip_country": COUNTRY,
            "billing_country": COUNTRY,
            "timezone": {"type": "string", "minLength": 1, "maxLength": 64},
            "utc_offset_minutes": {"type": "integer", "minimum": -720, "maximum": 840},
        },
        {"proxy": {"type": "boolean"}, "device_id": ID},
    ),
}
