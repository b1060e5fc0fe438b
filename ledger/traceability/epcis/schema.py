"""Validation against the official EPCIS 2.0 JSON Schema (draft-07), shipped in ``data/``.

A document that fails is refused whole: :class:`EpcisSchemaError` lists every reason with
the JSON path it concerns. The schema leans on the ``uri`` and ``date-time`` formats (they
decide, for instance, which property names count as extensions), so both are checked here
with our own small checkers rather than left to optional third-party packages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from ledger.traceability.epcis.errors import EpcisSchemaError, Reason

_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("uri")(_is_uri)
    checker.checks("date-time")(_is_date_time)
    return checker


@cache
def schema_document() -> dict[str, Any]:
    """The EPCIS 2.0 JSON Schema, as shipped in ``ledger/epcis/data``."""
    text = (
        resources.files("ledger.traceability.epcis")
        .joinpath("data/epcis-json-schema.json")
        .read_text("utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _inline_refs(node: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every ``#/definitions/...`` reference replaced by its target.

    Resolving references dominates jsonschema's run time on this schema; the EPCIS schema
    has no recursive definitions, and a cycle, should one appear, keeps its ``$ref``.
    """
    if isinstance(node, list):
        return [_inline_refs(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFINITIONS):
        name = ref[len(_DEFINITIONS) :].replace("%40", "@")
        if name in definitions and name not in seen:
            return _inline_refs(definitions[name], definitions, (*seen, name))
    return {key: _inline_refs(value, definitions, seen) for key, value in node.items()}


_DEFINITIONS = "#/definitions/"


def _validator(root: dict[str, Any]) -> Draft7Validator:
    definitions = schema_document()["definitions"]
    flat = _inline_refs(root, definitions)
    flat["definitions"] = definitions
    return Draft7Validator(flat, format_checker=_format_checker())


@cache
def _document_validator() -> Draft7Validator:
    schema = schema_document()
    return _validator({k: v for k, v in schema.items() if k != "definitions"})


@cache
def _event_list_validator() -> Draft7Validator:
    schema = schema_document()
    return _validator(
        {"$schema": schema["$schema"], "allOf": [{"$ref": "#/definitions/eventList"}]}
    )


@cache
def _fast_document() -> Any:
    return _compiled(schema_document())


@cache
def _fast_events() -> Any:
    schema = schema_document()
    root = {"$schema": schema["$schema"], "allOf": [{"$ref": "#/definitions/eventList"}]}
    return _compiled({**root, "definitions": schema["definitions"]})


def _compiled(schema: dict[str, Any]) -> Any:
    """The same schema compiled by jsonschema-rs, with our two format checkers.

    It answers only "valid or not", about seventy times faster than the reference
    validator; a document it refuses goes through the reference validator, which words
    every reason (and whose verdict stands).
    """
    formats = {"uri": _is_uri, "date-time": _is_date_time}
    return jsonschema_rs.Draft7Validator(schema, formats=formats, validate_formats=True)


def validate_document(document: Any) -> None:
    """Check an EPCISDocument, EPCISQueryDocument or single event; raise listing every reason."""
    if _fast_document().is_valid(document):
        return
    _raise_if_any(_document_validator().iter_errors(document), "$", "EPCIS document")


def validate_events(events: Sequence[Any], *, root: str = "$.eventList") -> None:
    """Check a list of JSON-LD events (for documents that did not arrive as JSON)."""
    if _fast_events().is_valid(list(events)):
        return
    _raise_if_any(_event_list_validator().iter_errors(list(events)), root, "EPCIS events")


def _raise_if_any(errors: Iterable[ValidationError], root: str, what: str) -> None:
    reasons = sorted({_reason(e, root) for e in errors}, key=lambda r: (r.path, r.message))
    if reasons:
        raise EpcisSchemaError(
            f"{what} does not conform to the EPCIS 2.0 JSON schema",
            field=reasons[0].path,
            reasons=reasons,
        )


def _reason(error: ValidationError, root: str) -> Reason:
    """The most specific cause of an error, with its JSON path."""
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None:
            error = deepest
    return Reason(_json_path(root, error.absolute_path), _message(error))


def _message(error: ValidationError) -> str:
    """jsonschema's message, with a large offending value abbreviated."""
    if error.validator == "not":
        return "is not allowed here"
    message = error.message
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        message = "the value" + message[len(shown) :]
    return message if len(message) <= 300 else message[:297] + "..."


def _json_path(root: str, parts: Iterable[str | int]) -> str:
    path = root
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
