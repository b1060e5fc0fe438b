"""The CBV 2.0 event hash ID: the pre-hash string of an EPCIS event and its ``ni:`` URI.

CBV 2.0 section 8.9 defines a content hash that names an event independently of how it was
written (JSON or XML, key order, list order, number and time formats, URN or Digital Link).
The pre-hash string is ``eventType=...`` followed by the standard fields in a fixed order
(not alphabetical), each as ``name=value`` with no separators; repeated values of one field
are sorted after rendering; structures write their name and then their own fields. Then
come the extensions: ``ilmd``, the extensions nested in standard fields and the event's own
extensions, each sorted. Ignored: ``eventID``, ``recordTime``, ``errorDeclaration`` (so a
corrective declaration keeps the hash of the event it voids), ``certificationInfo``, the
JSON ``type`` key, comments and empty lists.

Two profiles are implemented: ``CBV2.0`` (current, the default) and the ``CBV2.1`` draft,
which keeps the ``sensorElementList`` label and writes nested extensions inline after
their parent's own fields instead of in the trailing block. Each hash ID names its profile
(``?ver=CBV2.0``), and :data:`DEFAULT_ALGORITHM` is what the ledger records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.traceability.epcis import vocab
from ledger.traceability.epcis.namespaces import expanded_name, hash_namespaces, prefixes_of_context
from ledger.traceability.epcis.timestamps import hash_timestamp
from ledger.traceability.epcis.value_forms import canonical_value, scalar_text


@dataclass(frozen=True, slots=True)
class HashProfile:
    """The choices that differ between CBV versions of the algorithm."""

    version: str
    inline_extensions: bool
    keep_sensor_element_list: bool


CBV20 = HashProfile("CBV2.0", inline_extensions=False, keep_sensor_element_list=False)
CBV21 = HashProfile("CBV2.1", inline_extensions=True, keep_sensor_element_list=True)
PROFILES = {p.version: p for p in (CBV20, CBV21)}
DEFAULT_ALGORITHM = CBV20.version


@dataclass(frozen=True, slots=True)
class Field:
    """One standard field: its JSON key, its pre-hash label and how its values render.

    A field without ``fields`` is a scalar (``label=value`` per value); with ``fields`` it
    is a structure (``label`` then its own fields). ``wrap`` is the list label written once
    before the sorted members (``epcList`` before each ``epc=``).
    """

    key: str
    label: str
    fields: tuple[Field, ...] = ()
    wrap: str | None = None
    vocabulary: str | None = None
    time: bool = False


def _scalars(*keys: str) -> tuple[Field, ...]:
    return tuple(Field(k, k, time=k.lower().endswith("time")) for k in keys)


_QUANTITY = _scalars("epcClass", "quantity", "uom")
_SENSOR_METADATA = _scalars(
    "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData"
) + _scalars("dataProcessingMethod", "bizRules")
_SENSOR_REPORT = (
    Field("type", "type", vocabulary=vocab.MEASUREMENT_TYPE),
    Field("exception", "exception", vocabulary=vocab.SENSOR_ALERT),
    *_scalars("deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time"),
    *_scalars("microorganism", "chemicalSubstance", "value"),
    Field("component", "component", vocabulary=vocab.COMPONENT),
    *_scalars("stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue"),
    *_scalars("maxValue", "meanValue", "sDev", "percRank", "percValue", "uom"),
    *_scalars("coordinateReferenceSystem"),
)


def _epcs(key: str) -> Field:
    return Field(key, "epc", wrap=key)


def _quantities(key: str) -> Field:
    return Field(key, "quantityElement", _QUANTITY, wrap=key)


def _typed_links(key: str, member: str, vocabulary: str) -> Field:
    return Field(
        key, "", (Field("type", "type", vocabulary=vocabulary), Field(member, member)), wrap=key
    )


def _sensor_elements(profile: HashProfile) -> Field:
    members = (
        Field("sensorMetadata", "sensorMetadata", _SENSOR_METADATA),
        Field("sensorReport", "sensorReport", _SENSOR_REPORT),
    )
    wrap = "sensorElementList" if profile.keep_sensor_element_list else ""
    return Field("sensorElementList", "sensorElement", members, wrap=wrap)


def _event_fields(profile: HashProfile) -> tuple[Field, ...]:
    """The canonical property order of CBV 2.0 section 8.9.2."""
    return (
        Field("eventTime", "eventTime", time=True),
        Field("eventTimeZoneOffset", "eventTimeZoneOffset"),
        _epcs("epcList"),
        Field("parentID", "parentID"),
        _epcs("inputEPCList"),
        _epcs("childEPCs"),
        _quantities("quantityList"),
        _quantities("childQuantityList"),
        _quantities("inputQuantityList"),
        _epcs("outputEPCList"),
        _quantities("outputQuantityList"),
        Field("action", "action"),
        Field("transformationID", "transformationID"),
        Field("bizStep", "bizStep", vocabulary=vocab.BIZ_STEP),
        Field("disposition", "disposition", vocabulary=vocab.DISPOSITION),
        Field(
            "persistentDisposition",
            "persistentDisposition",
            (
                Field("set", "set", vocabulary=vocab.DISPOSITION),
                Field("unset", "unset", vocabulary=vocab.DISPOSITION),
            ),
        ),
        Field("readPoint", "readPoint", (Field("id", "id"),)),
        Field("bizLocation", "bizLocation", (Field("id", "id"),)),
        _typed_links("bizTransactionList", "bizTransaction", vocab.BIZ_TRANSACTION_TYPE),
        _typed_links("sourceList", "source", vocab.SOURCE_DEST_TYPE),
        _typed_links("destinationList", "destination", vocab.SOURCE_DEST_TYPE),
        _sensor_elements(profile),
    )


_FIELDS = {p.version: _event_fields(p) for p in PROFILES.values()}
_NOT_HASHED = frozenset({"comment", "rdfs:comment", "@context", "#text"})
_NOT_HASHED_AT_TOP = _NOT_HASHED | {
    "type",
    "eventID",
    "recordTime",
    "errorDeclaration",
    "certificationInfo",
    "ilmd",
}


class _Renderer:
    """Renders one event under one profile and one prefix map."""

    def __init__(self, profile: HashProfile, namespaces: Mapping[str, str]) -> None:
        self.profile = profile
        self.namespaces = namespaces

    # -- standard fields -------------------------------------------------------------
    def field(self, field: Field, container: Mapping[str, Any]) -> str:
        members = sorted(
            filter(None, (self.item(field, v) for v in _as_list(container.get(field.key))))
        )
        body = "".join(members)
        if field.wrap is not None and body:
            return field.wrap + body
        return body

    def item(self, field: Field, value: Any) -> str:
        if not field.fields:
            if isinstance(value, dict | list):
                return ""
            text = scalar_text(value).strip()
            return f"{field.label}={self.value(field, text)}" if text else ""
        if not isinstance(value, dict):
            return ""
        content = "".join(self.field(sub, value) for sub in field.fields)
        if self.profile.inline_extensions:
            content += "".join(sorted(self.extensions(value, field.fields)))
        return field.label + content if content else ""

    def value(self, field: Field, text: str) -> str:
        if field.time:
            return hash_timestamp(text)
        if field.vocabulary is not None:
            text = vocab.expand_term(field.vocabulary, text)
        return canonical_value(text)

    # -- extensions ------------------------------------------------------------------
    def extensions(self, container: Mapping[str, Any], fields: Iterable[Field]) -> list[str]:
        """Renders of the namespaced keys of a standard structure that are not its fields."""
        standard = {f.key for f in fields}
        return [
            render
            for key, value in container.items()
            if key not in standard and key not in _NOT_HASHED and ":" in key
            for render in self.generic(key, value)
        ]

    def nested_extensions(self, field: Field, container: Mapping[str, Any]) -> str:
        """CBV 2.0: a structure's extensions, prefixed with the labels of their parents."""
        parts = []
        for value in _as_list(container.get(field.key)):
            if isinstance(value, dict):
                inner = "".join(
                    self.nested_extensions(sub, value) for sub in field.fields if sub.fields
                )
                inner += "".join(sorted(self.extensions(value, field.fields)))
                if inner:
                    parts.append(field.label + inner)
        body = "".join(sorted(parts))
        if field.wrap is not None and body:
            return field.wrap + body
        return body

    def generic(self, key: str, value: Any) -> list[str]:
        """Extension content: ``name[=value]`` and the sorted renders of its children."""
        if isinstance(value, list):
            return [render for item in value for render in self.generic(key, item)]
        name = expanded_name(key, self.namespaces)
        if isinstance(value, dict):
            text = scalar_text(value.get("#text", "")).strip()
            children = sorted(
                render
                for k, v in value.items()
                if k not in _NOT_HASHED
                for render in self.generic(k, v)
            )
            return [name + _assign(text) + "".join(children)]
        return [name + _assign(scalar_text(value).strip())]

    # -- the event -------------------------------------------------------------------
    def event(self, event: Mapping[str, Any]) -> str:
        fields = _FIELDS[self.profile.version]
        standard = "".join(self.field(f, event) for f in fields)
        known = {f.key for f in fields} | _NOT_HASHED_AT_TOP
        own = [r for k, v in event.items() if k not in known for r in self.generic(k, v)]
        ilmd = self.generic("ilmd", event["ilmd"]) if "ilmd" in event else []
        if self.profile.inline_extensions:
            tail = "".join(sorted(ilmd + own))
        else:
            nested = "".join(self.nested_extensions(f, event) for f in fields if f.fields)
            tail = "".join(ilmd) + nested + "".join(sorted(own))
        return f"eventType={scalar_text(event.get('type'))}{standard}{tail}"


def _assign(text: str) -> str:
    return "=" + canonical_value(text) if text else ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def profile_for(version: str) -> HashProfile:
    try:
        return PROFILES[version]
    except KeyError:
        raise ValueError(f"unknown event hash algorithm {version!r}") from None


def prehash_string(
    event: Mapping[str, Any],
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    namespaces: Mapping[str, str] | None = None,
) -> str:
    """The pre-hash string of a JSON-LD event.

    Extension prefixes are read from the event's own ``@context``; ``namespaces`` adds the
    declarations of its document (a normalised event already carries all it needs).
    """
    declared = dict(namespaces or {})
    declared.update(prefixes_of_context(event.get("@context")))
    return _Renderer(profile_for(algorithm), hash_namespaces(declared)).event(event)


def hash_id_of_prehash(prehash: str, *, algorithm: str = DEFAULT_ALGORITHM) -> str:
    """``ni:///sha-256;<hex>?ver=CBV2.0`` (RFC 6920 named information URI)."""
    digest = hashlib.sha256(prehash.encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={profile_for(algorithm).version}"


def event_hash_id(
    event: Mapping[str, Any],
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    namespaces: Mapping[str, str] | None = None,
) -> str:
    """The event hash ID of a JSON-LD event under the given CBV profile."""
    prehash = prehash_string(event, algorithm=algorithm, namespaces=namespaces)
    return hash_id_of_prehash(prehash, algorithm=algorithm)
