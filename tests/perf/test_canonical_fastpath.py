"""The fast RFC 8785 routes in ``ledger.canonical`` agree with the ``rfc8785`` library.

The oracle is the library-only implementation the module had before the fast routes: every
outcome (bytes, parsed value, or the error and its message) must be the same on random
JSON values, on their canonical bytes and on non-canonical spellings of them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.core import canonical
from ledger.core.errors import InvalidEvent

Outcome = tuple[str, Any]


def oracle_canonicalize(value: Any) -> bytes:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidEvent(f"not canonicalisable JSON: {exc}") from exc


def oracle_parse(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"body is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidEvent("body is not a JSON object")
    if oracle_canonicalize(value) != data:
        raise InvalidEvent("body is not in RFC 8785 canonical form")
    return value


def outcome(fn: Any, arg: Any) -> Outcome:
    try:
        return ("ok", fn(arg))
    except InvalidEvent as exc:
        return ("error", (exc.detail, exc.field))
    except Exception as exc:  # anything else must match too, type and text
        return ("raised", (type(exc).__name__, str(exc)))


def same(a: Outcome, b: Outcome) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "ok" and isinstance(a[1], dict):
        # parsed values: compare their JSON text so 1 and 1.0 or True and 1 differ
        return json.dumps(a[1], sort_keys=True) == json.dumps(b[1], sort_keys=True)
    return bool(a[1] == b[1])


ascii_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x7F), max_size=12)
any_text = st.text(max_size=8) | st.text(
    st.characters(codec="utf-8") | st.sampled_from(["\ud800", "\udfff", "\U0001f600", "\ue000"]),
    max_size=6,
)
keys = ascii_text | any_text
integers = (
    st.integers(-(2**53) + 1, 2**53 - 1)
    | st.integers()
    | st.sampled_from([2**53 - 1, 2**53, -(2**53) + 1, -(2**53), 10**15, -(10**14)])
)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1.0, 1e21])
scalars = st.none() | st.booleans() | integers | floats | ascii_text | any_text
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=4)
        | st.tuples(inner, inner)
    ),
    max_leaves=20,
)
# values whose canonical bytes take the fast route most of the time
plain_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**14), 10**14) | ascii_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ascii_text, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(json_values | plain_values)
@example({"b": 1, "a": [True, None, 'x\u007f"\\\n\x01']})
@example({"\ue000": 1, "\U0001f600": 2})
@example({1: "int key"})
@example({"k": 2**53})
@example({"k": 1.0})
@example({"k": float("nan")})
@example({"k": "\ud800"})
def test_canonicalize_matches_the_library(value: Any) -> None:
    assert same(outcome(canonical.canonicalize, value), outcome(oracle_canonicalize, value))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=3) | st.dictionaries(ascii_text, plain_values))
def test_parse_canonical_accepts_exactly_canonical_bytes(body: dict[str, Any]) -> None:
    try:
        data = rfc8785.dumps(body)
    except (rfc8785.CanonicalizationError, ValueError):
        return
    assert same(outcome(canonical.parse_canonical, data), outcome(oracle_parse, data))
    # and other spellings of the same value: default json, ASCII escapes, spaces, indent
    for text in (
        json.dumps(body),
        json.dumps(body, sort_keys=True, separators=(",", ":")),
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
        json.dumps(body, sort_keys=True, indent=1),
    ):
        try:
            spelled = text.encode("utf-8", "surrogatepass")
        except UnicodeEncodeError:
            continue
        assert same(outcome(canonical.parse_canonical, spelled), outcome(oracle_parse, spelled))


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=30).map(lambda t: t.encode("utf-8", "replace")))
@example(b'{"a":1.0}')
@example(b'{"a":NaN}')
@example(b'{"a":-0}')
@example(b'{"a":9007199254740992}')
@example(b'{"a":900719925474099}')
@example(b'{"a":1,"a":1}')
@example(b'{"a":"\\u00e9"}')
@example('{"a":"é"}'.encode())
@example(b'{"a":"\\ud800"}')
@example(b'{"b":1,"a":2}')
@example(b"\x00{}")
@example(b'{"a":"\x7f"}')
@example(b'{"a":"\\u007f"}')
@example(b'{"a":"\\u001f","b":"\\t"}')
@example(b'{"a":"\\u0009"}')
@example(b"[1]")
@example(b"{}")
@example(b'{"signature":1E5}')
@example(b'{"a":1} ')
@example(b'{"a":1}\n')
@example(b'{"a":1}{"b":2}')
@example(b"\xef\xbb\xbf{}")
@example(b"{\x00\x00\x00")
@example(b'{"a":[1,2,{"b":null}],"c":{}}')
@example(b'{"a":"\xed\xa0\x80"}')
@example(b'{"a":"\\ud83d\\ude00"}')
def test_parse_canonical_matches_the_library_on_any_bytes(data: bytes) -> None:
    assert same(outcome(canonical.parse_canonical, data), outcome(oracle_parse, data))


@settings(max_examples=200, deadline=None)
@given(plain_values.filter(lambda v: isinstance(v, dict)), st.data())
def test_one_byte_changed_is_judged_like_the_library(body: dict[str, Any], data: Any) -> None:
    original = rfc8785.dumps(body)
    position = data.draw(st.integers(0, len(original) - 1))
    byte = data.draw(st.integers(0, 255))
    changed = original[:position] + bytes([byte]) + original[position + 1 :]
    assert same(outcome(canonical.parse_canonical, changed), outcome(oracle_parse, changed))


@pytest.mark.parametrize(
    "data",
    [bytearray(b'{"a":1}'), '{"a":1}', memoryview(b'{"a":1}')],
    ids=lambda d: type(d).__name__,
)
def test_parse_canonical_on_other_input_types_behaves_as_before(data: Any) -> None:
    assert same(outcome(canonical.parse_canonical, data), outcome(oracle_parse, data))


def test_orjson_writes_every_ascii_character_as_the_library_does() -> None:
    assert canonical._orjson_agrees()
    assert canonical._dumps is canonical._orjson_dumps
    for code in range(128):
        char = chr(code)
        value = {char: [char, f"a{char}b"], f"k{char}": {char * 2: char}, "n": [0, -5, True]}
        expected = rfc8785.dumps(value)
        assert canonical._orjson_dumps(value) == expected, code
        assert canonical._json_dumps(value) == expected, code
        assert canonical._fast_canonical(value) == expected, code


def test_an_orjson_that_writes_otherwise_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    real = canonical.orjson.dumps
    monkeypatch.setattr(canonical.orjson, "dumps", lambda v, **kw: real(v, **kw).upper())
    assert not canonical._orjson_agrees()
    monkeypatch.setattr(canonical.orjson, "dumps", lambda v, **kw: real(v))  # unsorted
    assert not canonical._orjson_agrees()
    monkeypatch.setattr(canonical.orjson, "dumps", real)
    assert canonical._orjson_agrees()


@settings(max_examples=300, deadline=None)
@given(json_values | plain_values)
def test_the_standard_encoder_route_matches_the_library_too(value: Any) -> None:
    """The route taken should orjson ever disagree."""
    chosen = canonical._dumps
    canonical._dumps = canonical._json_dumps
    try:
        got = outcome(canonical.canonicalize, value)
    finally:
        canonical._dumps = chosen
    assert same(got, outcome(oracle_canonicalize, value))


def test_values_orjson_refuses_are_written_by_the_standard_encoder() -> None:
    deep: Any = 1
    for _ in range(300):  # past orjson's nesting limit, within the standard encoder's
        deep = [deep]
    with pytest.raises(TypeError):
        canonical._orjson_dumps({"a": deep})
    assert canonical._written({"a": deep}) == canonical._json_dumps({"a": deep})
    assert canonical.canonicalize({"a": deep}) == rfc8785.dumps({"a": deep})
    assert canonical.parse_canonical(rfc8785.dumps({"a": deep})) == {"a": deep}
    assert canonical._written({"a": "\ud800"}) is None
    assert same(
        outcome(canonical.canonicalize, {"a": "\ud800"}),
        outcome(oracle_canonicalize, {"a": "\ud800"}),
    )


def test_the_fast_route_is_taken_for_ordinary_events() -> None:
    body: dict[str, Any] = {
        "id": "x",
        "payload": {"amount": {"amount_minor": 12, "currency": "USD"}},
    }
    assert canonical._fast_canonical(body) == rfc8785.dumps(body)
    assert canonical._fast_canonical({"price": 1.5}) is None
    assert canonical._fast_canonical({"name": "Zürich"}) is None


def _spellings(value: Any) -> list[bytes]:
    out = []
    for text in (
        json.dumps(value),
        json.dumps(value, ensure_ascii=False),
        json.dumps(value, indent=1),
    ):
        try:
            out.append(text.encode("utf-8", "surrogatepass"))
        except UnicodeEncodeError:
            continue
    return out


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=4) | st.dictionaries(ascii_text, plain_values))
@example({"a": 1.0, "b": 2})
@example({"a": 2**53})
@example({"a": 10**15 - 1, "b": -(10**14)})
@example({"a": float("nan")})
@example({"a": "\ud800"})
@example({"a": {"b": ["Zürich", None]}})
def test_loads_plain_is_json_loads_and_its_parts_canonicalise_alike(body: dict[str, Any]) -> None:
    for data in _spellings(body):
        plain = canonical.loads_plain(data)
        if plain is None:
            continue
        parsed = json.loads(data)
        assert same(("ok", plain), ("ok", parsed))
        assert type(plain) is dict
        for part in (plain, *plain.values()):
            assert same(
                outcome(canonical.canonicalize_plain, part), outcome(oracle_canonicalize, part)
            )


@pytest.mark.parametrize(
    "data",
    [b'{"a":1.5}', b'{"a":1e3}', b'{"a":NaN}', b'{"a":-Infinity}', b'{"a":9007199254740993}',
     b'{"a":1234567890123456}', b'[{"a":1}]', b' {"a":1}', b'{"a":1} \f', b'{"a":1}{}',
     b'{"a":', b"\xef\xbb\xbf{}", b'{"a":"\xff"}', bytearray(b'{"a":1}'), '{"a":1}'],
)  # fmt: skip
def test_loads_plain_leaves_everything_else_to_the_usual_parse(data: Any) -> None:
    assert canonical.loads_plain(data) is None


def test_loads_plain_takes_the_common_body() -> None:
    data = b'{"b":[1,-2,123456789012345,true,null],"a":{"c":"x\\u00e9\\n"}}'
    assert canonical.loads_plain(data) == json.loads(data)
    assert canonical.loads_plain(data + b" \t\r\n") == json.loads(data)
    assert canonical.canonicalize_plain(json.loads(data)) == rfc8785.dumps(json.loads(data))
