"""Information flow: who trades with whom, what was ordered, invoiced, reviewed, disputed.

Also the registry of participants and keys (operator-signed, so an offline verifier learns
every participant key from signed entries) and a data subject's consent to a lender.
"""

from __future__ import annotations

from functools import partial

from ledger.core.event_types.claims import claim_types
from ledger.core.event_types.common import COUNTRY, DATE, ID, MONEY, TIMESTAMP, obj
from ledger.core.event_types.spec import PARTICIPANT_ROLES, ROLES, EventType, Schema, declare

FLOW = "information"
_ROLES: Schema = {"type": "array", "minItems": 1, "items": {"enum": list(ROLES)}}
_SCOPES: Schema = {
    "type": "array",
    "minItems": 1,
    "uniqueItems": True,
    "items": {"enum": ["entries", "score", "reports"]},
}


_t = partial(declare, FLOW)


TYPES: list[EventType] = [
    _t(
        "participant.registered",
        obj(
            {
                "participant_id": ID,
                "legal_name": {"type": "string", "minLength": 1},
                "roles": _ROLES,
            },
            {
                "country": COUNTRY,
                "gs1_prefixes": {
                    "type": "array",
                    "maxItems": 50,
                    "uniqueItems": True,
                    "items": {"type": "string", "pattern": "^[0-9]{6,12}$"},
                },
            },
        ),
        roles="operator",
        summary="The operator registers a participant with its roles, country and the GS1 "
        "company prefixes it owns.",
    ),
    _t(
        "participant.key_added",
        obj(
            {
                "participant_id": ID,
                "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                "public_key": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "valid_from": TIMESTAMP,
            },
            {"valid_until": {"type": ["string", "null"], "format": "date-time"}},
        ),
        roles="operator",
        summary="The operator registers a participant's Ed25519 key and its validity window.",
    ),
    _t(
        "participant.key_revoked",
        obj(
            {"participant_id": ID, "key_id": {"type": "string"}, "revoked_at": TIMESTAMP},
            {"reason": {"type": "string"}},
        ),
        roles="operator",
        summary="The operator revokes a key; it signs nothing recorded after the revocation.",
    ),
    _t(
        "listing.published",
        obj({"listing_id": ID, "sku": ID, "price": MONEY}, {"channel": ID}),
        roles="seller",
        actor="seller",
        summary="A seller lists a SKU at a price on a channel.",
    ),
    _t(
        "order.placed",
        obj(
            {"order_id": ID, "seller": ID, "buyer": ID, "total": MONEY},
            {
                "terms_days": {"type": "integer", "minimum": 0},
                "channel": ID,
                "lines": {"type": "array"},
            },
        ),
        roles="buyer",
        actor="buyer",
        summary="A buyer places an order with a seller, on payment terms.",
    ),
    _t(
        "order.accepted",
        obj({"order_id": ID}),
        roles="seller",
        actor="seller",
        summary="The seller accepts an order.",
    ),
    _t(
        "order.cancelled",
        obj({"order_id": ID}, {"reason": {"type": "string"}}),
        roles=("seller", "buyer"),
        actor_one_of=("seller", "buyer"),
        summary="The seller or the buyer cancels an order.",
    ),
    _t(
        "invoice.issued",
        obj({"invoice_id": ID, "order_id": ID, "amount": MONEY, "due_date": DATE}),
        roles="seller",
        actor="seller",
        confirm="buyer",
        summary="A seller invoices a buyer; the buyer's confirmation is its acceptance.",
    ),
    _t(
        "review.posted",
        obj(
            {"order_id": ID, "rating": {"type": "integer", "minimum": 1, "maximum": 5}},
            {"text": {"type": "string"}},
        ),
        roles="buyer",
        actor="reviewer",
        summary="A buyer reviews an order.",
    ),
    _t(
        "dispute.opened",
        obj({"dispute_id": ID, "order_id": ID, "reason": {"type": "string"}}),
        roles=("buyer", "seller"),
        actor="opened_by",
        summary="A party to an order opens a dispute.",
    ),
    _t(
        "dispute.resolved",
        obj(
            {
                "dispute_id": ID,
                "outcome": {"enum": ["buyer_favoured", "seller_favoured", "settled"]},
            },
            {"refund": MONEY},
        ),
        roles="platform",
        summary="The platform resolves a dispute.",
    ),
    _t(
        "certification.issued",
        obj(
            {"certificate_id": ID, "standard": {"type": "string"}, "issuer": ID},
            {"valid_until": DATE},
        ),
        roles=("inspector", "platform"),
        actor="issuer",
        summary="An inspection body certifies a participant or its goods.",
    ),
    _t(
        "insolvency.filed",
        obj(
            {"debtor": ID, "procedure": {"enum": ["liquidation", "restructuring"]}},
            {"filed_on": DATE},
        ),
        roles=("seller", "buyer"),
        actor="debtor",
        summary="A firm files for insolvency (a debtor's petition); its lenders may accelerate.",
        example={"debtor": "seller-000042", "procedure": "liquidation", "filed_on": "2024-06-30"},
    ),
    _t(
        "account.login",
        obj(
            {
                "account": ID,
                "ip_country": COUNTRY,
                "billing_country": COUNTRY,
                "timezone": {"type": "string", "minLength": 1, "maxLength": 64},
                "utc_offset_minutes": {"type": "integer", "minimum": -720, "maximum": 840},
            },
            {"proxy": {"type": "boolean"}, "device_id": ID},
        ),
        roles="platform",
        summary="The platform records a login as it observed it (fraud signals).",
    ),
    _t(
        "consent.granted",
        obj(
            {
                "consent_id": ID,
                "subject": ID,
                "grantee": ID,
                "scope": _SCOPES,
                "expires_at": TIMESTAMP,
            }
        ),
        roles=PARTICIPANT_ROLES,
        actor="subject",
        summary="A participant lets another (a lender, a supplier) read its entries, score or "
        "reports until expiry.",
    ),
    _t(
        "consent.revoked",
        obj({"consent_id": ID, "subject": ID}),
        roles=PARTICIPANT_ROLES,
        actor="subject",
        summary="A participant withdraws a consent it granted.",
    ),
    *claim_types(FLOW),
]
