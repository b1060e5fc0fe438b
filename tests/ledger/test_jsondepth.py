"""``too_deep`` measures nesting outside strings exactly as a byte-by-byte reader would."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.jsondepth import too_deep


def depth_by_hand(data: bytes) -> int:
    """The deepest bracket nesting outside strings, one byte at a time (the oracle)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


def test_nesting_at_the_limit_passes_and_one_more_fails() -> None:
    assert not too_deep(b"[" * 64 + b"]" * 64, 64)
    assert too_deep(b"[" * 65 + b"]" * 65, 64)
    assert too_deep(b'{"a":' * 65 + b"1" + b"}" * 65, 64)
    assert too_deep(b"[" * 100_000, 64)  # unbalanced and invalid: still measured


def test_brackets_in_strings_and_after_escapes_are_text() -> None:
    text = json.dumps({"a": "[" * 500, "b": '\\"[[[[' * 100}).encode()
    assert not too_deep(text, 2)
    assert not too_deep(b'["\\\\", "[[[["]', 1)  # an escaped backslash closes nothing
    assert too_deep(b'["\\"", [[1]]]', 2)  # an escaped quote does not end the string


def test_an_unterminated_string_holds_the_rest_of_the_text() -> None:
    assert not too_deep(b'["' + b"[" * 100, 1)
    assert not too_deep(b'["a\\"' + b"[" * 100, 1)
    assert too_deep(b"[[[" + b'"' + b"[" * 100, 2)


def test_a_wide_shallow_body_is_not_deep() -> None:
    events = [{"payload": {"items": [[i, {"x": [i]}]]}} for i in range(5_000)]
    body = json.dumps({"events": events}).encode()  # {"events": [{ {"items": [[ {"x": [
    assert not too_deep(body, 8)
    assert too_deep(body, 7)


_JSONISH = st.lists(st.sampled_from(list(b'[]{}"\\ax:,')), max_size=200).map(bytes)


@settings(max_examples=2_000, deadline=None)
@given(_JSONISH, st.integers(min_value=0, max_value=8))
def test_it_agrees_with_a_byte_by_byte_reader_on_any_bytes(data: bytes, limit: int) -> None:
    assert too_deep(data, limit) == (depth_by_hand(data) > limit)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.integers() | st.text(alphabet='[]{}"\\ab\n'),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=40,
    ),
    st.integers(min_value=0, max_value=10),
)
def test_it_agrees_on_json_documents(value: object, limit: int) -> None:
    data = json.dumps(value).encode()
    assert too_deep(data, limit) == (depth_by_hand(data) > limit)
