"""``POST /v1/events`` bodies read by canonical's plain decoder: the same events, the same refusals.

The handler parses a body with ``loads_plain`` when it can (no float, NaN or long integer,
UTF-8) and then skips the walk over its events' types (``canonicalize_plain``). The oracle
is the route before that change: ``json.loads`` and ``canonicalize`` on every event. Both
must give the same events byte for byte, or the same refusal with the same message and
field, on bodies of every kind: the payloads the answer test uses, hypothesis' JSON values
(floats, long integers, non-ASCII text, lone surrogates, non-string keys among them) and
spellings the plain decoder leaves to the usual parse.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance_api import body as bodies
from finance_api.routers.events_answer import _as_written, answer_bytes
from finance_api.routers.participants import _parse
from ledger.core.append_receipt import AppendReceipt
from ledger.core.entry import Appended
from ledger.core.errors import InvalidEvent
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from tests.api.test_events_answer import PAYLOADS

KEY = SigningKey(bytes(range(32)))
AT = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
Outcome = tuple[str, Any]


def oracle(data: bytes) -> Outcome:
    return outcome(lambda d: _parse(bodies.parse_json(d)), data)


def handler(data: bytes) -> Outcome:
    return outcome(lambda d: _parse(*bodies.parse_json_plain(d)), data)


def outcome(parse: Any, data: bytes) -> Outcome:
    try:
        events, batch = parse(data)
    except InvalidEvent as exc:
        return ("refused", (exc.detail, exc.field, exc.code))
    return ("events", ([(e, e.canonical, e.signature) for e in events], batch))


def wire(payload: Any) -> dict[str, Any]:
    """An event's wire form with ``payload`` (signed over whatever bytes it has, if any)."""
    try:
        event = Event.create(KEY, flow="information", type="x.tested", actor="someone",
                             payload={"p": payload}, occurred_at=AT, subjects=["a"])  # fmt: skip
    except InvalidEvent:  # not canonicalisable: a signature of the right shape stands in
        return {"id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "flow": "information",
                "type": "x.tested", "actor": "someone", "key_id": KEY.key_id, "subjects": [],
                "occurred_at": "2025-03-04T05:06:07.891011Z", "payload": {"p": payload},
                "signature": "00" * 64}  # fmt: skip
    return event.to_json()


def spellings(body: Any) -> list[bytes]:
    out = []
    for text in (json.dumps(body), json.dumps(body, ensure_ascii=False), json.dumps(body) + "\n"):
        try:
            out.append(text.encode("utf-8", "surrogatepass"))
        except UnicodeEncodeError:
            continue
    with contextlib.suppress(TypeError):
        out.append(orjson.dumps(body))
    return out


def test_the_usual_batch_takes_the_plain_route() -> None:
    data = orjson.dumps({"events": [wire({"amount_minor": 12, "n": [1, True, None]})] * 3})
    value, plain = bodies.parse_json_plain(data)
    assert plain
    assert value == json.loads(data)
    assert handler(data) == oracle(data)
    assert handler(data)[0] == "events"
    assert not bodies.parse_json_plain(data.replace(b"12", b"1.5"))[1]


@pytest.mark.parametrize("payload", [*PAYLOADS, 2**53, -(2**53), 10**15, float("nan"), "\ud800"])
def test_payloads_of_every_kind_give_the_same_events_or_refusals(payload: Any) -> None:
    for body in ({"events": [wire(payload), wire(1)]}, wire(payload)):
        for data in spellings(body):
            assert handler(data) == oracle(data), data[:200]


def test_refusals_keep_their_messages() -> None:
    broken = {**wire(1), "payload": {"big": 2**53}}
    data = json.dumps({"events": [wire(1), broken]}).encode()
    got = handler(data)
    assert got == oracle(data)
    assert got[0] == "refused"
    assert got[1][1] == "events[1]"
    assert got[1][0].startswith("not canonicalisable JSON: ")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.booleans())
def test_any_payload_is_judged_as_before(payload: Any, batch: bool) -> None:
    body = {"events": [wire(payload)]} if batch else wire(payload)
    for data in spellings(body):
        assert handler(data) == oracle(data)


@pytest.mark.parametrize("payload", [*PAYLOADS, {"text": "x\u00e9"}, {"n": [2**53 - 1, -1]}])
def test_events_of_plain_bodies_are_answered_with_their_own_bytes(payload: Any) -> None:
    """The answer embeds a plain event's bytes as written (``_as_written``) only when that is
    exactly what orjson writes for ``to_json``; otherwise it shows ``to_json`` as before."""
    data = orjson.dumps({"events": [wire(payload), wire(1)]})
    body, plain = bodies.parse_json_plain(data)
    events, batch = _parse(body, plain)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        Appended(seq, event, bytes(32), bytes(32), at, replayed=seq == 1)
        for seq, event in enumerate(events)
    ]
    receipts = [AppendReceipt("o", e.seq, e.event.id, "00", "t", "s") for e in entries]
    answered = answer_bytes(entries, lambda: receipts, batch, plain=plain)
    assert answered == answer_bytes(entries, lambda: receipts, batch, plain=False)
    if plain and all(event.canonical.isascii() for event in events):
        for event in events:
            assert orjson.dumps(_as_written(event)) == orjson.dumps(event.to_json())
            assert orjson.dumps(_as_written(event)) in answered
    else:
        assert not plain or not events[0].canonical.isascii()
