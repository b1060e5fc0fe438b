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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from ledger.core.append_receipt import AppendReceipt
from ledger.core.entry import Appended
from ledger.core.events import format_timestamp

ENTRY_FIELDS = (
    "seq", "event", "leaf_hash", "chain_hash", "recorded_at", "format", "backfilled",
    "confirmation", "receipt", "replayed",
)  # fmt: skip
"""``EntryOut``'s fields in order (a test holds the model to it)."""


def answer_bytes(
    entries: Sequence[Appended], receipts: Callable[[], list[AppendReceipt]], batch: bool
) -> bytes:
    """The answer's bytes; ``receipts`` (signing meanwhile) is waited for after the entries."""
    shown = [
        {
            "seq": entry.seq,
            "event": entry.event.to_json(),
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
