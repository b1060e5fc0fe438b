"""The EPCIS 1.x/2.0 XML vocabulary the reader needs: element groups, number forms, limits."""

from __future__ import annotations

import re

from ledger.traceability.epcis import vocab

XSI = "http://www.w3.org/2001/XMLSchema-instance"
STANDARD_NAMESPACES = frozenset(
    f"urn:epcglobal:{kind}:xsd:{v}"
    for kind in ("epcis", "epcis-query", "epcis-masterdata")
    for v in ("1", "2")
)
EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
        "QuantityEvent",
    }
)
WRAPPERS = frozenset({"extension", "baseExtension"})
TEXT_FIELDS = frozenset(
    {"eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "parentID", "action"}
    | {"transformationID"}
)
ID_LISTS = frozenset({"epcList", "inputEPCList", "outputEPCList", "childEPCs"})
QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
LINK_LISTS = {
    "bizTransactionList": ("bizTransaction", vocab.BIZ_TRANSACTION_TYPE),
    "sourceList": ("source", vocab.SOURCE_DEST_TYPE),
    "destinationList": ("destination", vocab.SOURCE_DEST_TYPE),
}
NUMERIC_SENSOR = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
SENSOR_VOCAB = {
    "type": vocab.MEASUREMENT_TYPE,
    "exception": vocab.SENSOR_ALERT,
    "component": vocab.COMPONENT,
}
MAX_DEPTH = 48
"""Deepest element nesting accepted (the vectors need 11)."""
INT = re.compile(r"[+-]?\d+")
FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
