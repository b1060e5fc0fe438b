"""Logistics flow: goods made, packed, shipped, declared, held, received, counted, lost."""

from __future__ import annotations

from functools import partial

from ledger.core.event_types.claims import claim_types
from ledger.core.event_types.common import COUNTRY, ID, QUANTITY, obj
from ledger.core.event_types.spec import EventType, declare

FLOW = "logistics"
_t = partial(declare, FLOW)

TYPES: list[EventType] = [
    _t(
        "epcis.captured",
        obj(
            {
                "epcis": {"type": "object"},
                "hash_id": {
                    "type": "string",
                    "pattern": "^ni:///sha-256;[0-9a-f]{64}\\?ver=CBV2\\.[01]$",
                },
                "hash_algorithm": {"type": "string"},
            }
        ),
        roles=("platform", "seller", "buyer", "warehouse", "carrier", "customs", "inspector"),
        summary="A GS1 EPCIS 2.0 event carried whole, with its CBV event hash ID.",
    ),
    _t(
        "shipment.dispatched",
        obj(
            {"shipment_id": ID, "origin": COUNTRY, "destination": COUNTRY},
            {"order_id": ID, "items": {"type": "array", "items": ID}},
        ),
        roles="carrier",
        actor="carrier",
        summary="A carrier takes a shipment from its origin toward its destination.",
    ),
    _t(
        "shipment.delivered",
        obj({"shipment_id": ID}, {"on_time": {"type": "boolean"}}),
        roles="carrier",
        actor="carrier",
        confirm="consignee",
        summary="A carrier delivers a shipment; the consignee's confirmation proves delivery.",
    ),
    _t(
        "customs.declared",
        obj({"declaration_id": ID, "shipment_id": ID, "country": COUNTRY}),
        roles="customs",
        summary="Customs registers a declaration for a shipment.",
    ),
    _t(
        "customs.held",
        obj(
            {"declaration_id": ID, "shipment_id": ID, "country": COUNTRY},
            {"reason": {"type": "string"}},
        ),
        roles="customs",
        summary="Customs holds a shipment.",
    ),
    _t(
        "customs.cleared",
        obj({"declaration_id": ID, "shipment_id": ID, "country": COUNTRY}),
        roles="customs",
        summary="Customs clears a shipment.",
    ),
    _t(
        "goods.received",
        obj(
            {"warehouse_id": ID, "lot_id": ID, "sku": ID, "quantity": QUANTITY},
            {"unit": {"type": "string"}},
        ),
        roles="warehouse",
        actor="warehouse_id",
        confirm="owner",
        summary="A warehouse takes goods into custody for their owner.",
    ),
    _t(
        "stock.counted",
        obj({"warehouse_id": ID, "sku": ID, "quantity": QUANTITY}, {"lot_id": ID}),
        roles="warehouse",
        actor="warehouse_id",
        summary="A warehouse counts what it holds of a SKU or lot.",
    ),
    _t(
        "goods.lost",
        obj({"quantity": QUANTITY}, {"shipment_id": ID, "lot_id": ID}),
        roles=("carrier", "warehouse"),
        actor="custodian",
        summary="The custodian of goods (carrier or warehouse) reports them lost.",
    ),
    _t(
        "goods.released",
        obj(
            {"warehouse_id": ID, "lot_id": ID, "quantity": QUANTITY},
            {"unit": {"type": "string"}, "shipment_id": ID},
        ),
        roles="warehouse",
        actor="warehouse_id",
        confirm="owner",
        summary="A warehouse lets goods of a lot leave its custody (never goods under a live "
        "receipt).",
    ),
    _t(
        "goods.commissioned",
        obj(
            {"lot_id": ID, "sku": ID, "quantity": QUANTITY},
            {"unit": {"type": "string"}, "site_country": COUNTRY},
        ),
        roles="seller",
        actor="owner",
        summary="A producer brings a lot of goods into existence.",
    ),
    _t(
        "goods.packed",
        obj(
            {"package_id": ID, "lot_id": ID, "quantity": QUANTITY},
            {"order_id": ID, "unit": {"type": "string"}},
        ),
        roles=("seller", "warehouse"),
        summary="Goods of a lot are packed, for an order.",
    ),
    *claim_types(FLOW),
]
