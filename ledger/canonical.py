"""Canonical bytes of JSON values: RFC 8785 (JSON Canonicalization Scheme).

Signatures and leaf hashes are computed over these bytes, so any two parties that hold the
same event agree on them byte for byte whatever their JSON library does with key order,
whitespace or number formatting.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from ledger.errors import InvalidEvent


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 bytes of ``value``; refuse what JCS cannot represent."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidEvent(f"not canonicalisable JSON: {exc}") from exc


def parse_canonical(data: bytes) -> dict[str, Any]:
    """Parse bytes that must already be canonical; refuse anything else.

    Used by verifiers: a stored body that does not re-canonicalise to itself was altered.
    """
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidEvent("body is not a JSON object")
    if canonicalize(value) != data:
        raise InvalidEvent("body is not in RFC 8785 canonical form")
    return value
