"""Logistics flow: goods made, packed, shipped, declared, held, received, counted, lost."""

from __future__ import annotations

from ledger.core.event_types.common import COUNTRY, ID, QUANTITY, Schema, obj

TYPES: dict[str, Schema] = {
    # A GS1 EPCIS 2.0 event carried whole, with its CBV event hash ID.
    "epcis.captured": obj(
        {
            "epcis": {"type": "object"},
            "hash_id": {
                "type": "string",
                "pattern": "^ni:///sha-256;[0-9a-f]{64}\\?ver=CBV2\\.[01]$",
            },
            "hash_algorithm": {"type": "string"},
        }
    ),
    "shipment.dispatched": obj(
        {"shipment_id": ID, "origin": COUNTRY, "destination": COUNTRY},
        {"order_id": ID, "carrier": ID, "items": {"type": "array", "items": ID}},
    ),
    "shipment.delivered": obj({"shipment_id": ID}, {"on_time": {"type": "boolean"}}),
    "customs.declared": obj({"declaration_id": ID, "shipment_id": ID, "country": COUNTRY}),
    "customs.held": obj(
        {"declaration_id": ID, "shipment_id": ID, "country": COUNTRY},
        {"reason": {"type": "string"}},
    ),
    "customs.cleared": obj({"declaration_id": ID, "shipment_id": ID, "country": COUNTRY}),
    "goods.received": obj(
        {"warehouse_id": ID, "lot_id": ID, "sku": ID, "quantity": QUANTITY},
        {"unit": {"type": "string"}, "owner": ID},
    ),
    "stock.counted": obj({"warehouse_id": ID, "sku": ID, "quantity": QUANTITY}, {"lot_id": ID}),
    "goods.lost": obj({"quantity": QUANTITY}, {"shipment_id": ID, "lot_id": ID}),
    # Added for the simulations: EPCIS-style commissioning and packing, as plain types.
    "goods.commissioned": obj(
        {"lot_id": ID, "sku": ID, "quantity": QUANTITY},
        {"unit": {"type": "string"}, "owner": ID, "site_country": COUNTRY},
    ),
    "goods.packed": obj(
        {"package_id": ID, "lot_id": ID, "quantity": QUANTITY},
        {"order_id": ID, "unit": {"type": "string"}},
    ),
}
