"""An event's body read back from its canonical bytes (by orjson) is the body as signed.

``Event.body`` is every entry's JSON; it must give the values the standard parser gives
for whatever a payload may hold (strings of any code point, escapes, integers to 2**53 - 1,
floats, nesting), in the canonical key order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.core.events import Event
from ledger.core.keys import SigningKey

PAYLOADS: list[Any] = [
    {"text": 'quote " backslash \\ slash / controls \x00\x01\x1f\x7f \b\f\n\r\t'},
    {"unicode": "é ü 漢字 😀 \u2028\u2029 \ufeff", "ключ": "значение", "😀": 1},
    {"numbers": [0, -1, 2**53 - 1, -(2**53 - 1), 0.1, 1.5, 1e21, 1e-7, 5e-324, 1e300, -0.0]},
    {"nested": {"b": [True, False, None, [], {}], "a": {"z": [1, [2, {"y": None}]]}}},
    {},
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_body_is_what_the_standard_parser_reads(payload: Any) -> None:
    event = Event.create(
        SigningKey(bytes(32)), flow="information", type="x.tested", actor="someone",
        payload=payload, occurred_at=datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    )  # fmt: skip
    body = event.body()
    expected = json.loads(event.canonical)
    assert body == expected
    assert list(body) == list(expected)
    assert list(body["payload"]) == list(expected["payload"])
    assert json.dumps(body) == json.dumps(expected)  # the same types (1.0 is not 1)
