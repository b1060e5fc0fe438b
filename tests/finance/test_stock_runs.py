"""Goods in and out judged a run at a time, in one batch, on SQLite and PostgreSQL.

The projector reads a run's stock and cover once and writes once (``stock_run.py``); these
batches mix goods entries with a count (which the run outlives) and a receipt (which ends
it), and check every figure and refusal against what one entry at a time gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from finance_api.domain import errors as e
from finance_api.receipts.tables import AlertRow, StockRow
from ledger.audit.database import verify_database
from ledger.core.events import Event
from tests.finance.desk import OTHER, SELLER, WAREHOUSE, Desk

VALUE = 20_000_000


@contextmanager
def batched(desk: Desk) -> Iterator[list[Event]]:
    """Collect the desk's acts as events, then append them as one batch."""
    events: list[Event] = []
    act = desk.act
    desk.act = lambda *a, **k: events.append(desk.event(*a, **k))  # type: ignore[method-assign,assignment,func-returns-value]
    try:
        yield events
    finally:
        desk.act = act  # type: ignore[method-assign]
    desk.ledger.append_batch(events)


def stock(desk: Desk, lot: str, owner: str = SELLER) -> tuple[int, int, int, int | None]:
    row = desk.row(StockRow, warehouse_id=WAREHOUSE, lot_id=lot, owner=owner)
    return row.held_milli, row.received_milli, row.out_milli, row.counted_milli


def test_a_batch_of_goods_counts_and_receipts_ends_as_one_entry_at_a_time(desk: Desk) -> None:
    desk.receive("lot-1", 10)  # a row the batch finds on the table
    with batched(desk) as events:
        desk.receive("lot-1", 100)
        desk.receive("lot-1", 50)
        desk.goods_out("lot-1", 30)
        desk.receive("lot-2", 40, owner=OTHER)  # a row the batch inserts
        desk.count("lot-1", 130)  # reads the stock the run has so far
        desk.goods_out("lot-1", 20)
        desk.issue("r-1", "lot-1", 100, VALUE)  # reads it too, and covers 100 of the 110
        desk.goods_out("lot-1", 10)  # the run after the receipt reads its cover
        desk.goods_out("lot-2", 15, owner=OTHER)
    assert len(events) == 9
    assert stock(desk, "lot-1") == (100_000, 160_000, 60_000, 130_000)
    assert stock(desk, "lot-2", OTHER) == (25_000, 40_000, 15_000, None)
    assert desk.count_rows(AlertRow) == 0  # the count saw 130, as one entry at a time would
    assert verify_database(desk.url).tree_size == desk.ledger.size()


def refused_batch(desk: Desk, error: type[e.FinanceError], fill: Callable[[], None]) -> None:
    """The batch ``fill`` makes is refused with ``error`` at its last entry; nothing written."""
    size, rows = desk.ledger.size(), desk.count_rows(StockRow)
    with pytest.raises(error) as caught, batched(desk) as events:
        fill()
    assert caught.value.seq == size + len(events) - 1  # the last entry is the refused one
    assert (desk.ledger.size(), desk.count_rows(StockRow)) == (size, rows)


def test_a_run_refuses_goods_out_beyond_what_it_took_in_or_left_covered(desk: Desk) -> None:
    def beyond_received() -> None:
        desk.receive("lot-3", 10)
        desk.goods_out("lot-3", 11)

    refused_batch(desk, e.GoodsEncumbered, beyond_received)
    refused_batch(desk, e.GoodsNotHeld, lambda: desk.goods_out("lot-9", 1))
    desk.receive("lot-4", 100)

    def covered_in_the_batch() -> None:
        desk.goods_out("lot-4", 10)
        desk.issue("r-4", "lot-4", 80, VALUE)
        desk.goods_out("lot-4", 10.5)  # 90 held, 80 covered: 10 free

    with pytest.raises(e.GoodsEncumbered, match="only 10 of lot lot-4 is free"), batched(desk):
        covered_in_the_batch()
    assert stock(desk, "lot-4") == (100_000, 100_000, 0, None)


def test_a_count_reads_each_lots_cover_once_whoever_owns_its_goods(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.receive("lot-1", 50, owner=OTHER)
    desk.issue("r-1", "lot-1", 60, VALUE)
    desk.issue("r-2", "lot-1", 40, VALUE, holder=OTHER)
    desk.receive("lot-2", 30)
    desk.issue("r-3", "lot-2", 30, VALUE)
    by_lot = desk.count("lot-1", 90)
    below = desk.row(AlertRow, seq=by_lot.seq, kind="count_below_receipts")
    assert (below.held_milli, below.covered_milli, below.counted_milli) == (
        150_000,
        100_000,
        90_000,
    )
    by_sku = desk.act(WAREHOUSE, "logistics", "stock.counted",
                      {"warehouse_id": WAREHOUSE, "sku": "ALU-INGOT", "quantity": 170})  # fmt: skip
    assert desk.row(AlertRow, seq=by_sku.seq, kind="count_below_receipts") is None
    differs = desk.row(AlertRow, seq=by_sku.seq, kind="count_differs_from_book")
    assert (differs.held_milli, differs.covered_milli, differs.lot_id) == (180_000, 130_000, None)
    assert stock(desk, "lot-2") == (30_000, 30_000, 0, 170_000)
