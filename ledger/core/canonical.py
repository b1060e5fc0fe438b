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
from collections.abc import Callable
from typing import Any

import rfc8785

from ledger.core.errors import InvalidEvent

_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    sort_keys=True,
    separators=(",", ":"),
    check_circular=False,  # plain values are trees: JSON-decoded, or walked by _plain first
)


def _c_encoder() -> Callable[[Any], str] | None:
    """The C encoder behind ``_ENCODER``, built once (``JSONEncoder`` rebuilds it per call)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return None
    try:
        encode = make(None, _ENCODER.default, basestring, None, ":", ",", True, False, False)
        sample = {"b": [1, True, None], "a": 'x"\\\n\x01'}
        if "".join(encode(sample, 0)) != _ENCODER.encode(sample):
            return None
    except Exception:  # another interpreter's internals: keep the public route
        return None
    return lambda value: "".join(encode(value, 0))


_encode: Callable[[Any], str] = _c_encoder() or _ENCODER.encode
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
_scan: Callable[[str, int], tuple[Any, int]] = _PLAIN_DECODER.scan_once  # type: ignore[attr-defined]


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
    text = _encode(value)
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


def _scan_plain(data: bytes) -> tuple[Any, str] | None:
    """``(value, text)`` when ``data`` is one JSON object in the lemma's domain, else ``None``.

    Only the common case is decided here: UTF-8 (the first two bytes are not zero, so
    ``json.loads`` would pick UTF-8 too), one value and nothing after it, no float, NaN or
    long integer. Everything else returns ``None`` and is parsed the exact way, which also
    produces the exact error.
    """
    if data[:1] != b"{" or data[1:2] == b"\x00":
        return None
    try:
        text = data.decode("utf-8", "surrogatepass")
        value, end = _scan(text, 0)
    except (_NotPlain, StopIteration, ValueError):  # JSONDecodeError, UnicodeDecodeError
        return None
    if end != len(text):
        return None
    return value, text


def parse_canonical(data: bytes) -> dict[str, Any]:
    """Parse bytes that must already be canonical; refuse anything else.

    Used by verifiers: a stored body that does not re-canonicalise to itself was altered.
    The usual case is decided without the library: the bytes are ASCII, decoding met no
    float, NaN or long integer, and re-encoding gives the same text; by the lemma that
    text is then the RFC 8785 form of the value.
    """
    scanned = _scan_plain(data) if isinstance(data, bytes) else None
    if scanned is not None:
        value, text = scanned
        if type(value) is dict and data.isascii() and _encode(value) == text:
            return value
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidEvent("body is not a JSON object")
    if canonicalize(value) != data:
        raise InvalidEvent("body is not in RFC 8785 canonical form")
    return value
