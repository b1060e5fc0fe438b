"""Canonical bytes of JSON values: RFC 8785 (JSON Canonicalization Scheme).

Signatures and leaf hashes are computed over these bytes, so any two parties that hold the
same event agree on them byte for byte whatever their JSON library does with key order,
whitespace or number formatting.

The ``rfc8785`` library is the reference, but it is pure Python and was the largest cost
of appending and verifying. Both directions therefore try a fast route first, built on the
C ``json`` module, and fall back to the library whenever the fast route cannot prove its
answer is the library's:

*Lemma.* For a value made only of ``dict`` (``str`` keys), ``list``/``tuple``, ``str``,
``bool``, ``None`` and ``int`` in JCS's safe range (|n| <= 2**53 - 1), in which every
string and key is ASCII, ``json.dumps(value, ensure_ascii=False, sort_keys=True,
separators=(",", ":"))`` is exactly the RFC 8785 text. Literals and integers print the same
in both (``null``, ``true``, ``false``, ``str(int)``); both escape ``"``, ``\\``, ``\\b``,
``\\f``, ``\\n``, ``\\r``, ``\\t`` in short form and every other code point below U+0020 as
``\\u00xx`` (lower-case hex), leaving the rest of ASCII as is; both join arrays and members
with bare ``,`` and ``:``; and for ASCII keys UTF-16 code-unit order (JCS) is code-point
order (Python's ``sorted``). Floats (ECMAScript number formatting), non-ASCII strings
(UTF-16 key order, lone surrogates) and everything else take the library's path.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from ledger.errors import InvalidEvent

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)
# Integers of at most 15 characters (sign included) are below 2**53 - 1 in magnitude.
_SAFE_INT_CHARS = 15
_INT_LIMIT = 2**53 - 1


class _NotPlain(Exception):
    """Raised by the decoding hooks when a value leaves the lemma's domain."""


def _small_int(text: str) -> int:
    if len(text) > _SAFE_INT_CHARS:
        raise _NotPlain
    return int(text)


def _refuse(_text: str) -> Any:
    raise _NotPlain


_PLAIN_DECODER = json.JSONDecoder(parse_int=_small_int, parse_float=_refuse, parse_constant=_refuse)


def _plain(value: Any) -> bool:
    """True when ``value`` is built only of the lemma's types (ASCII is checked after)."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():  # noqa: SIM110 (a loop beats all() on this hot path)
            if type(key) is not str or not _plain(item):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:  # noqa: SIM110
            if not _plain(item):
                return False
        return True
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_INT_LIMIT <= value <= _INT_LIMIT)
    return False


def _fast_canonical(value: Any) -> bytes | None:
    """The RFC 8785 bytes of ``value`` when the lemma applies, else ``None``."""
    try:
        if not _plain(value):
            return None
    except RecursionError:
        return None
    text = _ENCODER.encode(value)
    if not text.isascii():
        return None
    return text.encode("ascii")


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 bytes of ``value``; refuse what JCS cannot represent."""
    fast = _fast_canonical(value)
    if fast is not None:
        return fast
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidEvent(f"not canonicalisable JSON: {exc}") from exc


def parse_canonical(data: bytes) -> dict[str, Any]:
    """Parse bytes that must already be canonical; refuse anything else.

    Used by verifiers: a stored body that does not re-canonicalise to itself was altered.
    The usual case is decided without the library: the bytes are ASCII, decoding met no
    float, NaN or long integer, and re-encoding gives the same text; by the lemma that
    text is then the RFC 8785 form of the value.
    """
    plain = isinstance(data, bytes)
    try:
        if plain:
            text = data.decode(json.detect_encoding(data), "surrogatepass")
            try:
                value = _PLAIN_DECODER.decode(text)
            except _NotPlain:
                plain = False
        if not plain:
            value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidEvent("body is not a JSON object")
    if plain and data.isascii() and _ENCODER.encode(value) == text:
        return value
    if canonicalize(value) != data:
        raise InvalidEvent("body is not in RFC 8785 canonical form")
    return value
