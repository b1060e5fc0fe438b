"""EPCIS documents in and out: bytes -> validated, normalised, hashed events -> JSON-LD.

:func:`parse_document` accepts an EPCISDocument or EPCISQueryDocument in JSON/JSON-LD or
XML, or a single bare JSON-LD event, and returns one :class:`EpcisEvent` per event in
document order. A JSON document is checked against the EPCIS 2.0 JSON schema; an XML one
is first read into the same JSON-LD shape and its events checked against the same schema.
Anything wrong refuses the whole document with every reason listed.

Normalising a JSON event only makes it self-contained: its extension prefixes that the
document declared move into the event's own ``@context``. :func:`export_document` builds
the EPCIS 2.0 JSON-LD document back; a round trip keeps every hash ID.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ledger.core.jsondepth import too_deep
from ledger.traceability.epcis.errors import EpcisSyntaxError
from ledger.traceability.epcis.event import EpcisEvent
from ledger.traceability.epcis.hashid import DEFAULT_ALGORITHM
from ledger.traceability.epcis.namespaces import (
    needed_declarations,
    prefixes_of_context,
    used_prefixes,
)
from ledger.traceability.epcis.schema import validate_document, validate_events
from ledger.traceability.epcis.timestamps import to_utc_datetime
from ledger.traceability.epcis.vocab import CONTEXT_URL
from ledger.traceability.epcis.xml_reader import read_xml

SCHEMA_VERSION = "2.0"
MAX_DEPTH = 64
"""Deepest nesting of JSON objects and arrays accepted (the vectors need 15)."""


def parse_document(
    data: bytes, content_type: str | None = None, *, algorithm: str = DEFAULT_ALGORITHM
) -> list[EpcisEvent]:
    """Validate, normalise and hash every event of an EPCIS document (JSON or XML)."""
    return [EpcisEvent.from_event(e, algorithm=algorithm) for e in read_events(data, content_type)]


def read_events(data: bytes, content_type: str | None = None) -> list[dict[str, Any]]:
    """The validated, normalised JSON-LD events of a document, without hashing them."""
    if _is_xml(data, content_type):
        _, events = read_xml(data)
        validate_events(events)
        return events
    document = load_json(data)
    _check_depth(document)
    validate_document(document)
    return json_events(document)


def _is_xml(data: bytes, content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if "xml" in kind:
        return True
    if "json" in kind:
        return False
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return True
    if head in (b"{", b"["):
        return False
    raise EpcisSyntaxError("neither JSON nor XML (and no content type says which)")


def load_json(data: bytes) -> Any:
    """Parse JSON strictly: UTF-8, no NaN or Infinity, no duplicate keys, bounded depth."""
    if too_deep(data, MAX_DEPTH + 2):
        raise EpcisSyntaxError(
            f"JSON document is nested too deeply: nested deeper than {MAX_DEPTH} levels"
        )
    try:
        return json.loads(
            data.decode("utf-8-sig"),
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicates,
        )
    except UnicodeDecodeError:
        raise EpcisSyntaxError("JSON document is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise EpcisSyntaxError(f"not well-formed JSON: {exc}") from None
    except RecursionError:
        raise EpcisSyntaxError("JSON document is nested too deeply") from None


def _check_depth(document: Any) -> None:
    """Refuse documents nested deeper than :data:`MAX_DEPTH` before anything recurses."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        )
        if children and depth > MAX_DEPTH:
            raise EpcisSyntaxError(f"JSON document is nested deeper than {MAX_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)


def _reject_constant(name: str) -> Any:
    raise EpcisSyntaxError(f"JSON constant {name} is not allowed")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise EpcisSyntaxError(f"duplicate JSON key {key!r}", field=key)
        out[key] = value
    return out


def json_events(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events of a (validated) JSON-LD document or bare event, each self-contained."""
    declared = prefixes_of_context(document.get("@context"))
    return [normalise_event(e, declared) for e in _event_list(document)]


def _event_list(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    kind = document.get("type")
    body = document.get("epcisBody")
    if kind == "EPCISDocument" and isinstance(body, dict):
        if "eventList" in body:
            return list(body["eventList"])
        return [body["event"]] if "event" in body else []
    if kind == "EPCISQueryDocument" and isinstance(body, dict):
        return list(body["queryResults"]["resultsBody"]["eventList"])
    return [document]


def normalise_event(event: Mapping[str, Any], declared: Mapping[str, str]) -> dict[str, Any]:
    """A deep copy of ``event`` whose ``@context`` declares exactly the prefixes it uses."""
    scope = {**declared, **prefixes_of_context(event.get("@context"))}
    out = {k: copy.deepcopy(v) for k, v in event.items() if k != "@context"}
    needed = needed_declarations(out, scope)
    if needed:
        out["@context"] = needed
    return out


def export_document(
    events: Sequence[Mapping[str, Any]], *, creation_date: datetime | None = None
) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD EPCISDocument holding ``events`` (normalised JSON-LD dicts).

    Prefix declarations move to the document ``@context`` when that changes no event's
    meaning (see :func:`_shared_context`); otherwise each event keeps its own.
    ``creationDate`` is ``creation_date`` or, so that an export is reproducible, the latest
    ``recordTime``/``eventTime`` of the events.
    """
    merged = _shared_context(events)
    event_list = []
    for event in events:
        out = copy.deepcopy(dict(event))
        if merged is not None:
            out.pop("@context", None)
        event_list.append(out)
    context: list[Any] = [CONTEXT_URL]
    if merged:
        context.append(merged)
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _format_instant(creation_date or _latest_time(events)),
        "epcisBody": {"eventList": event_list},
    }


def _shared_context(events: Sequence[Mapping[str, Any]]) -> dict[str, str] | None:
    """One set of declarations for all events, or ``None`` if some event would change.

    Sharing is safe when no two events declare a prefix differently and no event uses a
    prefix it does not declare itself (it would pick up another event's namespace, and a
    key's namespace is part of the hash).
    """
    merged: dict[str, str] = {}
    scopes = [prefixes_of_context(e.get("@context")) for e in events]
    for scope in scopes:
        for prefix, namespace in scope.items():
            if merged.setdefault(prefix, namespace) != namespace:
                return None
    for event, scope in zip(events, scopes, strict=True):
        if any(p in merged and p not in scope for p in used_prefixes(event)):
            return None
    return dict(sorted(merged.items()))


def _latest_time(events: Sequence[Mapping[str, Any]]) -> datetime:
    latest = datetime(1970, 1, 1, tzinfo=UTC)
    for event in events:
        for key in ("recordTime", "eventTime"):
            value = event.get(key)
            if isinstance(value, str):
                try:
                    latest = max(latest, to_utc_datetime(value))
                except (ValueError, OverflowError):
                    continue
    return latest


def _format_instant(instant: datetime) -> str:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    text = instant.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
