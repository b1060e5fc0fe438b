"""The bytes of a ``POST /v1/events`` answer, written straight from the entries with orjson.

They are the bytes of :class:`~finance_api.schemas.EntryOut` (one event) or
:class:`~finance_api.schemas.EntriesOut` (a batch) validated from the entries' JSON and
serialised by pydantic: the same fields in the models' order, ``confirmation`` null (an
append shows none), each receipt as issued. Validating those models could never refuse
what the ledger built (every value already has the model's type), and cost about 9 µs an
entry of a 500-event batch, against 2 µs here. pydantic's and orjson's JSON of the
values an event holds (strings of any code point, integers, floats, booleans, nulls,
lists, objects) are the same bytes: ``tests/api/test_events_answer.py`` compares both on
answers and on payloads of every kind, and pins the models' field order this follows.

An event's JSON is ``event.to_json()``: its canonical bytes read back, and its signature.
When they were read from a plain body and are ASCII (``plain``, below), orjson would write
them back as they are, and they are embedded as they are (a ``Fragment``: 1 µs an entry
instead of 4-5): such bytes are the RFC 8785 text of a value of only objects, arrays,
ASCII strings, literals and integers within 2**53 - 1, which orjson reads with its keys in
the text's order and writes in that order, with the very escapes and number forms of that
text (what ``ledger.core.canonical`` checks orjson for at import); ``to_json`` appends
``signature`` (hex: nothing to escape) after the body's fields, none of which is named so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from ledger.core.append_receipt import AppendReceipt
from ledger.core.entry import Appended
from ledger.core.events import Event, format_timestamp

ENTRY_FIELDS = (
    "seq", "event", "leaf_hash", "chain_hash", "recorded_at", "format", "backfilled",
    "confirmation", "receipt", "replayed",
)  # fmt: skip
"""``EntryOut``'s fields in order (a test holds the model to it)."""


def answer_bytes(
    entries: Sequence[Appended],
    receipts: Callable[[], list[AppendReceipt]],
    batch: bool,
    *,
    plain: bool = False,
) -> bytes:
    """The answer's bytes; ``receipts`` (signing meanwhile) is waited for after the entries.

    ``plain``: the entries are those of events parsed from a body ``loads_plain`` read
    (``Event.from_json(..., plain=True)``; a replayed entry holds the same bytes)."""
    as_is = plain and all(entry.event.canonical.isascii() for entry in entries)
    shown = [
        {
            "seq": entry.seq,
            "event": _as_written(entry.event) if as_is else entry.event.to_json(),
            "leaf_hash": entry.leaf_hash.hex(),
            "chain_hash": entry.chain_hash.hex(),
            "recorded_at": format_timestamp(entry.recorded_at),
            "format": entry.format,
            "backfilled": entry.backfilled,
            "confirmation": None,
            "receipt": None,
            "replayed": entry.replayed,
        }
        for entry in entries
    ]
    for item, receipt in zip(shown, receipts(), strict=True):
        item["receipt"] = receipt.to_json()
    answer: Any = {"entries": shown} if batch else shown[0]
    return orjson.dumps(answer)


def _as_written(event: Event) -> orjson.Fragment:
    """``event.to_json()`` as orjson writes it, for the events of a plain body (see above)."""
    signature = event.signature.hex().encode()
    return orjson.Fragment(b"".join((event.canonical[:-1], b',"signature":"', signature, b'"}')))
