"""The CBV vocabularies: bare JSON-LD terms, web URIs and the old URN forms of the same values.

EPCIS JSON-LD writes standard values as bare terms (``"bizStep": "receiving"``) that the
EPCIS context expands; XML writes CBV URNs (``urn:epcglobal:cbv:bizstep:receiving``); the
event hash uses the web URI (``https://ref.gs1.org/cbv/BizStep-receiving``). The terms are
read from the EPCIS 2.0 JSON-LD context shipped in ``data/``, so nothing is retyped here.
``gs1:`` expands to ``https://ref.gs1.org/voc/`` as in the current hash reference (the 2022
context file still says ``https://gs1.org/voc/``).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

CBV_WEB = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://ref.gs1.org/voc/"
EPCIS_NS = "https://ref.gs1.org/epcis/"
CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

# Vocabulary-valued fields, named by where they sit in an event.
BIZ_STEP = "bizStep"
DISPOSITION = "disposition"
BIZ_TRANSACTION_TYPE = "bizTransactionType"
SOURCE_DEST_TYPE = "sourceOrDestinationType"
ERROR_REASON = "errorReason"
MEASUREMENT_TYPE = "measurementType"
SENSOR_ALERT = "sensorAlertType"
COMPONENT = "component"

# CBV 1.x URN prefixes and their CBV 2.0 web equivalents.
_URN_TO_WEB = (
    ("urn:epcglobal:cbv:bizstep:", CBV_WEB + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", CBV_WEB + "Disp-"),
    ("urn:epcglobal:cbv:btt:", CBV_WEB + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", CBV_WEB + "SDT-"),
    ("urn:epcglobal:cbv:er:", CBV_WEB + "ER-"),
)
_CURIES = (("gs1:", GS1_VOC), ("cbv:", CBV_WEB))


def cbv_urn_to_web(value: str) -> str:
    """``urn:epcglobal:cbv:bizstep:x`` -> ``https://ref.gs1.org/cbv/BizStep-x``; others as is."""
    if value.startswith("urn:epcglobal:cbv:"):
        for urn, web in _URN_TO_WEB:
            if value.startswith(urn):
                return web + value[len(urn) :]
    return value


def expand_curie(value: str) -> str:
    """Expand the standard ``gs1:`` and ``cbv:`` CURIEs; any other prefix stays as written."""
    for prefix, namespace in _CURIES:
        if value.startswith(prefix):
            return namespace + value[len(prefix) :]
    return value


@cache
def context_document() -> dict[str, Any]:
    """The EPCIS 2.0 JSON-LD context, as shipped in ``ledger/epcis/data``."""
    text = (
        resources.files("ledger.traceability.epcis")
        .joinpath("data/epcis-context.json")
        .read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _scoped_terms(definition: Any) -> dict[str, str]:
    """Bare term -> web URI from a term definition's scoped ``@context``."""
    scoped = definition.get("@context", {}) if isinstance(definition, dict) else {}
    blocks = scoped if isinstance(scoped, list) else [scoped]
    terms: dict[str, str] = {}
    for block in blocks:
        for term, target in block.items():
            if isinstance(target, str) and not term.startswith("@") and ":" in target:
                terms[term] = expand_curie(target)
    return terms


@cache
def vocabularies() -> dict[str, dict[str, str]]:
    """For each vocabulary-valued field, its bare terms and their web URIs."""
    ctx = context_document()["@context"]
    sensor = ctx["sensorElementList"]["@context"]["sensorReport"]["@context"]
    sdt = _scoped_terms(ctx["sourceList"]["@context"]["type"])
    sdt.update(_scoped_terms(ctx["destinationList"]["@context"]["type"]))
    disposition = _scoped_terms(ctx["disposition"])
    disposition.update(_scoped_terms(ctx["persistentDisposition"]))
    return {
        BIZ_STEP: _scoped_terms(ctx["bizStep"]),
        DISPOSITION: disposition,
        BIZ_TRANSACTION_TYPE: _scoped_terms(ctx["bizTransactionList"]["@context"]["type"]),
        SOURCE_DEST_TYPE: sdt,
        ERROR_REASON: _scoped_terms(ctx["errorDeclaration"]["@context"]["reason"]),
        MEASUREMENT_TYPE: _scoped_terms(sensor["type"]),
        SENSOR_ALERT: _scoped_terms(sensor["exception"]),
        COMPONENT: _scoped_terms(sensor["component"]),
    }


@cache
def _reverse() -> dict[str, dict[str, str]]:
    return {
        field: {uri: term for term, uri in terms.items()} for field, terms in vocabularies().items()
    }


def expand_term(vocabulary: str, value: str) -> str:
    """The web URI of a bare term of ``vocabulary``; any other value is returned unchanged."""
    return vocabularies()[vocabulary].get(value, value)


def compact_value(vocabulary: str, value: str) -> str:
    """The JSON-LD form of an XML vocabulary value: a bare term when the value is one.

    ``urn:epcglobal:cbv:bizstep:receiving`` and ``cbv:BizStep-receiving`` become
    ``receiving``; an unknown CBV URN becomes its web URI (JSON forbids CBV URNs). Either way
    the event hash of the result equals the hash of the original.
    """
    web = expand_curie(cbv_urn_to_web(value))
    term = _reverse()[vocabulary].get(web)
    if term is not None:
        return term
    return web if value.startswith("urn:epcglobal:cbv:") else value
