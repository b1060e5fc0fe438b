"""Canonical bytes of JSON values: RFC 8785 (JSON Canonicalization Scheme).

Signatures and leaf hashes are computed over these bytes, so any two parties that hold the
same event agree on them byte for byte whatever their JSON library does with key order,
whitespace or number formatting.

The ``rfc8785`` library is the reference, but it is pure Python and was the largest cost
of appending and verifying. Both directions therefore try a fast route first, built on
orjson (a C-speed encoder, about ten times the standard ``json`` encoder's speed on an
event body), and fall back to the library whenever the fast route cannot prove its answer
is the library's:

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

``orjson.dumps(value, option=OPT_SORT_KEYS)`` writes the same text for such a value: the
same literals, integers, escapes (each of the 128 ASCII characters, in strings and keys),
bare separators and code-point key order. That is checked once at import on a value holding
every one of them (:func:`_orjson_agrees`); should an orjson ever differ, the standard
encoder is used instead. orjson refuses rather than guesses what it cannot write (nesting
past its limit, a lone surrogate): the standard encoder writes those, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import rfc8785

from ledger.core.errors import InvalidEvent

_JSON_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")
)
_INT_LIMIT = 2**53 - 1


def _orjson_agrees() -> bool:
    """Whether orjson writes the lemma's domain exactly as the standard encoder does: every
    ASCII character in a string and in a key, the literals, the safe range's edges, empty
    and nested containers, a tuple, and keys whose order depends on code points."""
    every = "".join(map(chr, range(128)))
    sample = {
        every: [every, 0, -1, _INT_LIMIT, -_INT_LIMIT, True, False, None, [], {}, (1, "")],
        "B": {"b": {"a": [[]]}, "_": None, "a": 0},
        "a": "",
        "": 1,
    }
    try:
        written = orjson.dumps(sample, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return False
    return written == _JSON_ENCODER.encode(sample).encode()


def _json_dumps(value: Any) -> bytes:
    return _JSON_ENCODER.encode(value).encode("utf-8", "surrogatepass")


def _orjson_dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


_dumps: Callable[[Any], bytes] = _orjson_dumps if _orjson_agrees() else _json_dumps
"""The lemma's text of a value in its domain but for ASCII, as UTF-8 (raises
``TypeError``/``ValueError`` on what it cannot write: orjson's ``JSONEncodeError`` is a
``TypeError``)."""


# Integers of at most 15 characters (sign included) are below 2**53 - 1 in magnitude.
_SAFE_INT_CHARS = 15


class _NotPlain(Exception):
    """Raised by the decoding hooks when a value leaves the lemma's domain."""


def _small_int(text: str) -> int:
    if len(text) > _SAFE_INT_CHARS:
        raise _NotPlain
    return int(text)


def _refuse(_text: str) -> Any:
    raise _NotPlain


_PLAIN_DECODER = json.JSONDecoder(parse_int=_small_int, parse_float=_refuse, parse_constant=_refuse)
_scan: Callable[[str, int], tuple[Any, int]] = _PLAIN_DECODER.scan_once  # type: ignore[attr-defined]


def _plain(value: Any) -> bool:
    """True when ``value`` is built only of the lemma's types (ASCII is checked after)."""
    kind = type(value)
    if kind is dict:
        for key in value:  # a loop beats all() on this hot path
            if type(key) is not str:
                return False
        return _all_plain(value.values())
    if kind is list or kind is tuple:
        return _all_plain(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_INT_LIMIT <= value <= _INT_LIMIT)
    return False


def _all_plain(items: Iterable[Any]) -> bool:
    """:func:`_plain` of every one of a container's members. A string, literal or integer
    is judged in the loop, not by a call per leaf: most of a body is leaves, and the calls
    were most of the walk."""
    for item in items:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_INT_LIMIT <= item <= _INT_LIMIT:
                return False
        elif not _plain(item):
            return False
    return True


def _written(value: Any) -> bytes | None:
    """The lemma's bytes of a value known to be in its domain but for ASCII, else ``None``."""
    try:
        data = _dumps(value)
    except (TypeError, ValueError):  # orjson: nested past its limit, or a lone surrogate
        try:
            data = _json_dumps(value)  # what the standard encoder wrote before orjson
        except (TypeError, ValueError, RecursionError):
            return None
    return data if data.isascii() else None


def _fast_canonical(value: Any) -> bytes | None:
    """The RFC 8785 bytes of ``value`` when the lemma applies, else ``None``."""
    try:
        if not _plain(value):
            return None
    except RecursionError:
        return None
    return _written(value)


def _library(value: Any) -> bytes:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidEvent(f"not canonicalisable JSON: {exc}") from exc


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 bytes of ``value``; refuse what JCS cannot represent."""
    fast = _fast_canonical(value)
    return _library(value) if fast is None else fast


def canonicalize_plain(value: Any) -> bytes:
    """:func:`canonicalize` of a value :func:`loads_plain` returned, or of a part of one.

    Such a value is in the lemma's domain by construction (its decoder builds only dicts
    with string keys, lists, strings, literals and the integers it let through), so the
    walk proving it is skipped; only ASCII is left to see, in the written bytes. A value
    from anywhere else must go through :func:`canonicalize`.
    """
    fast = _written(value)
    return _library(value) if fast is None else fast


def loads_plain(data: bytes) -> dict[str, Any] | None:
    """``json.loads(data)`` when ``data`` is one JSON object in the lemma's domain but for
    ASCII, its parts fit for :func:`canonicalize_plain`; else ``None``.

    Only the common case is decided here: UTF-8 (the first two bytes are not zero, so
    ``json.loads`` would pick UTF-8 too), one object and nothing but whitespace after it, no
    float, NaN or long integer. Everything else returns ``None`` and the caller parses it
    the exact way, which also produces the exact error. The value is the one ``json.loads``
    gives: the same scanner, whose integer hook here returns ``int(text)`` as its own does.
    """
    if not isinstance(data, bytes) or data[:1] != b"{" or data[1:2] == b"\x00":
        return None
    try:
        text = data.decode("utf-8", "surrogatepass")
        value, end = _scan(text, 0)
    except (_NotPlain, StopIteration, ValueError, RecursionError):  # JSONDecodeError, ...
        return None
    if end != len(text) and text[end:].strip(" \t\n\r"):  # json.loads allows whitespace
        return None
    body: dict[str, Any] = value  # it began with "{"
    return body


def parse_canonical(data: bytes) -> dict[str, Any]:
    """Parse bytes that must already be canonical; refuse anything else.

    Used by verifiers: a stored body that does not re-canonicalise to itself was altered.
    The usual case is decided without the library: the bytes are ASCII, decoding met no
    float, NaN or long integer, and re-encoding gives the same bytes; by the lemma those
    bytes are then the RFC 8785 form of the value.
    """
    plain = loads_plain(data)
    if plain is not None and data.isascii() and _written(plain) == data:
        return plain
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidEvent("body is not a JSON object")
    if canonicalize(value) != data:
        raise InvalidEvent("body is not in RFC 8785 canonical form")
    return value
