"""Queries by seq range, participant, item, flow, type and time, paged by cursor.

Every query is checked against a brute-force filter over all rows (parsed here from the
stored canonical bytes), and walked page by page with small limits: each matching entry
must come back exactly once, in order, and the last page must say there is no next one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ledger.core.errors import InvalidEvent
from ledger.log import Ledger
from ledger.storage.query import EntryQuery
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import AUDITOR, BUYER, CARRIER, LENDER, SELLER, T0, Base


@pytest.fixture(scope="module")
def reader(base: Base) -> Iterator[Ledger]:
    with Ledger.open(base.url, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def bodies(base: Base) -> list[dict[str, Any]]:
    with Raw(base.url) as raw:
        return [json.loads(row.canonical) for row in raw.entries()]


def _at(body: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(body["occurred_at"].replace("Z", "+00:00"))


def expected(bodies: list[dict[str, Any]], **filters: Any) -> list[int]:
    """The seqs a query must return, by brute force."""
    out = []
    for seq, body in enumerate(bodies):
        if filters.get("start_seq") is not None and seq < filters["start_seq"]:
            continue
        if filters.get("end_seq") is not None and seq >= filters["end_seq"]:
            continue
        who = filters.get("participant")
        if who is not None and who != body["actor"] and who not in body["subjects"]:
            continue
        if filters.get("item") is not None and filters["item"] not in body["subjects"]:
            continue
        if filters.get("flow") is not None and body["flow"] != filters["flow"]:
            continue
        if filters.get("type") is not None and body["type"] != filters["type"]:
            continue
        if filters.get("since") is not None and _at(body) < filters["since"]:
            continue
        if filters.get("until") is not None and _at(body) >= filters["until"]:
            continue
        out.append(seq)
    return out


def walk(ledger: Ledger, limit: int, **filters: Any) -> list[int]:
    """Every page of a query, following cursors; refuses a cursor that does not advance."""
    seqs: list[int] = []
    cursor = None
    while True:
        page = ledger.query(EntryQuery(after=cursor, limit=limit, **filters))
        assert len(page.entries) <= limit
        seqs.extend(entry.seq for entry in page.entries)
        if page.next_cursor is None:
            return seqs
        assert len(page.entries) == limit
        assert cursor is None or page.next_cursor > cursor
        assert page.next_cursor == page.entries[-1].seq
        cursor = page.next_cursor


QUERIES: list[dict[str, Any]] = [
    {},
    {"start_seq": 20, "end_seq": 61},
    {"start_seq": 230},
    {"end_seq": 1},
    {"participant": SELLER},
    {"participant": LENDER},  # only ever a subject, and of its registration
    {"participant": AUDITOR, "flow": "information"},
    {"participant": "operator"},
    {"participant": "nobody"},
    {"item": "order-00003"},
    {"item": "lot-00004"},
    {"item": BUYER, "type": "shipment.delivered"},
    {"participant": CARRIER, "item": "shp-00002"},
    {"flow": "logistics"},
    {"flow": "finance", "start_seq": 100},
    {"type": "payment.made"},
    {"type": "receipt.pledged", "participant": LENDER},
    {"since": T0 + timedelta(days=5), "until": T0 + timedelta(days=12)},
    {"since": T0 + timedelta(days=20)},
    {"until": T0 + timedelta(days=1)},
    {"participant": SELLER, "flow": "finance", "since": T0 + timedelta(days=3)},
]


SMALL = [q for q in QUERIES if "item" in q or q.get("end_seq") == 1 or "type" in q]
PAGED = [(q, limit) for limit in (7, 1000) for q in QUERIES] + [(q, 1) for q in SMALL]


@pytest.mark.parametrize(
    ("filters", "limit"), PAGED, ids=[f"{sorted(q.items())}-limit{n}" for q, n in PAGED]
)
def test_pages_return_every_match_exactly_once(
    reader: Ledger, bodies: list[dict[str, Any]], filters: dict[str, Any], limit: int
) -> None:
    assert walk(reader, limit, **filters) == expected(bodies, **filters)


def test_the_queries_are_not_vacuous(bodies: list[dict[str, Any]]) -> None:
    """Each query above matches something (but the one for nobody), and not everything."""
    for filters in QUERIES[1:]:
        count = len(expected(bodies, **filters))
        assert (count == 0) == (filters.get("participant") == "nobody"), filters
        assert count < len(bodies), filters


def test_entries_come_back_whole(reader: Ledger, base: Base) -> None:
    page = reader.query(EntryQuery(type="payment.made", limit=3))
    for entry in page.entries:
        assert reader.entry(entry.seq) == entry
        assert entry.event.type == "payment.made"
        assert entry.event.payload["amount"]["currency"] == "USD"


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"flow": "weather"}, "flow"),
        ({"after": -1}, "after"),
        ({"start_seq": -5}, "start_seq"),
        ({"since": T0, "until": T0}, "until"),
        ({"since": datetime(2025, 1, 1)}, "since"),
        ({"until": datetime(2025, 1, 1, tzinfo=UTC).replace(tzinfo=None)}, "until"),
        ({"since": datetime(2025, 1, 1), "until": T0}, "since"),
        ({"since": T0, "until": datetime(2025, 1, 2)}, "until"),
    ],
)
def test_bad_queries_name_their_field(filters: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        EntryQuery(**filters)
    assert caught.value.field == field
