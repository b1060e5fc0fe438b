"""GS1 EPCIS 2.0 events for the ledger: documents in and out, CBV 2.0 event hash IDs.

Pure logic, no database: :func:`parse_document` turns JSON-LD or XML bytes into validated,
normalised :class:`EpcisEvent` values with their hash IDs; :func:`export_document` builds the
JSON-LD document back. The pieces live in small modules: ``hashid`` (the pre-hash string),
``urn`` and ``digital_link`` (identifier forms), ``xml_reader``, ``schema``, ``vocab``.
"""

from ledger.traceability.epcis.digital_link import canonical_id, normalise_digital_link
from ledger.traceability.epcis.document import export_document, parse_document, read_events
from ledger.traceability.epcis.errors import EpcisError, EpcisSchemaError, EpcisSyntaxError, Reason
from ledger.traceability.epcis.event import BizTransaction, EpcisEvent
from ledger.traceability.epcis.hashid import (
    DEFAULT_ALGORITHM,
    PROFILES,
    event_hash_id,
    prehash_string,
)
from ledger.traceability.epcis.urn import epc_urn_to_digital_link

__all__ = [
    "DEFAULT_ALGORITHM",
    "PROFILES",
    "BizTransaction",
    "EpcisError",
    "EpcisEvent",
    "EpcisSchemaError",
    "EpcisSyntaxError",
    "Reason",
    "canonical_id",
    "epc_urn_to_digital_link",
    "event_hash_id",
    "export_document",
    "normalise_digital_link",
    "parse_document",
    "prehash_string",
    "read_events",
]
