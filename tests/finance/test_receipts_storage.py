"""Warehouse receipts on SQLite and PostgreSQL: stock proven, pledges never doubled.

Each refusal is a LedgerError with its code, a 4xx status and the field, and leaves the
ledger and the projection as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, update

from finance_api.domain import errors as e
from finance_api.receipts.tables import AlertRow, PledgeRow, ReceiptRow, StockRow
from ledger.audit.database import verify_database
from ledger.core.errors import LedgerError, VerificationFailed
from tests.finance.desk import LENDERS, OTHER, Desk

A, B, _ = LENDERS
VALUE = 20_000_000  # 100 t at 2,000.00


def refused(
    desk: Desk, error: type[LedgerError], field: str, act: Callable[[], Any]
) -> LedgerError:
    """``act`` is refused with ``error`` naming ``field``, and nothing is written."""
    size = desk.ledger.size()
    tables = [desk.count_rows(t) for t in (ReceiptRow, PledgeRow, StockRow)]
    with pytest.raises(error) as caught:
        act()
    assert caught.value.field == field, caught.value
    assert 400 <= caught.value.status < 500
    assert desk.ledger.size() == size
    assert [desk.count_rows(t) for t in (ReceiptRow, PledgeRow, StockRow)] == tables
    return caught.value


def test_a_receipt_needs_goods_the_warehouse_holds_for_the_holder(desk: Desk) -> None:
    refused(desk, e.GoodsNotHeld, "payload.lot_id", lambda: desk.issue("r-1", "lot-1", 10, VALUE))
    desk.receive("lot-1", 100, owner=OTHER)
    refused(desk, e.GoodsNotHeld, "payload.lot_id", lambda: desk.issue("r-1", "lot-1", 10, VALUE))
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    assert desk.row(ReceiptRow, receipt_id="r-1").live_milli == 100_000


def test_receipts_never_cover_more_than_the_stock_the_qingdao_rule(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 60, VALUE)
    error = refused(
        desk,
        e.ReceiptExceedsStock,
        "payload.quantity",
        lambda: desk.issue("r-2", "lot-1", 40.5, VALUE),
    )
    assert (error.code, error.status) == ("receipt_exceeds_stock", 409)
    desk.issue("r-2", "lot-1", 40, VALUE)
    refused(
        desk,
        e.ReceiptExceedsStock,
        "payload.quantity",
        lambda: desk.issue("r-3", "lot-1", 0.001, VALUE),
    )
    refused(
        desk, e.InvalidAmount, "payload.quantity", lambda: desk.issue("r-3", "lot-1", 0.0001, VALUE)
    )


def test_a_receipt_is_pledged_to_one_lender_at_a_time(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    desk.pledge("r-1", A)
    error = refused(desk, e.AlreadyPledged, "payload.receipt_id", lambda: desk.pledge("r-1", B))
    assert error.status == 409
    refused(desk, e.AlreadyPledged, "payload.receipt_id", lambda: desk.pledge("r-1", A))
    refused(desk, e.NotPledgee, "payload.lender", lambda: desk.release("r-1", B))
    desk.release("r-1", A, reason="partial_release")
    desk.pledge("r-1", B)
    assert desk.row(ReceiptRow, receipt_id="r-1").pledged_to == B


def test_only_the_holder_pledges_and_only_what_exists(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    refused(desk, e.NotHolder, "payload.holder", lambda: desk.pledge("r-1", A, holder=OTHER))
    refused(desk, e.UnknownReceipt, "payload.receipt_id", lambda: desk.pledge("r-9", A))
    refused(desk, e.UnknownReceipt, "payload.receipt_id", lambda: desk.release("r-9", A))
    refused(desk, e.NotPledged, "payload.receipt_id", lambda: desk.release("r-1", A))
    refused(desk, e.UnknownLoan, "payload.loan_id", lambda: desk.repay(A, "loan-9", 100))


def test_a_pledged_receipt_cannot_be_cancelled_nor_its_goods_leave(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 80, VALUE)
    desk.pledge("r-1", A)
    refused(desk, e.StillPledged, "payload.receipt_id", lambda: desk.cancel("r-1"))
    refused(desk, e.GoodsEncumbered, "payload.quantity", lambda: desk.goods_out("lot-1", 21))
    desk.goods_out("lot-1", 20)  # the part no receipt covers may leave
    desk.release("r-1", A, reason="partial_release")
    desk.cancel("r-1")
    refused(desk, e.AlreadyCancelled, "payload.receipt_id", lambda: desk.cancel("r-1"))
    desk.goods_out("lot-1", 80)
    assert desk.row(StockRow, lot_id="lot-1").held_milli == 0


def test_a_partial_release_splits_the_receipt(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    desk.pledge("r-1", A)
    refused(
        desk,
        e.StillPledged,
        "payload.replaces",
        lambda: desk.issue("r-2", "lot-1", 60, VALUE * 6 // 10, replaces="r-1"),
    )
    desk.release("r-1", A, reason="partial_release")
    refused(
        desk,
        e.ReceiptExceedsStock,
        "payload.quantity",
        lambda: desk.issue("r-2", "lot-1", 101, VALUE, replaces="r-1"),
    )
    desk.issue("r-2", "lot-1", 60, VALUE * 6 // 10, replaces="r-1")
    assert desk.row(ReceiptRow, receipt_id="r-1").live_milli == 40_000
    desk.cancel("r-1", reason="split", replaced_by="r-2")
    desk.pledge("r-2", A)
    desk.goods_out("lot-1", 40)  # what the old receipt no longer covers
    refused(desk, e.GoodsEncumbered, "payload.quantity", lambda: desk.goods_out("lot-1", 1))


def test_a_count_below_the_live_receipts_raises_the_qingdao_alert(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 90, VALUE)
    desk.count("lot-1", 100)
    assert desk.count_rows(AlertRow) == 0
    counted = desk.count("lot-1", 30)  # a third of what the receipts say is there
    alerts = {
        desk.row(AlertRow, seq=counted.seq, kind=k) is not None
        for k in ("count_below_receipts", "count_differs_from_book")
    }
    assert alerts == {True}
    lost = desk.lose("lot-1", 20)
    assert desk.row(AlertRow, seq=lost.seq, kind="stock_below_receipts").covered_milli == 90_000
    refused(desk, e.InvalidAmount, "payload.quantity", lambda: desk.lose("lot-1", 81))


def test_the_projection_replays_to_the_same_rows(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    desk.pledge("r-1", A)
    desk.disburse("loan-1", A, 13_000_000, "r-1")
    desk.price(160_000)
    desk.count("lot-1", 90)
    assert verify_database(desk.url).tree_size == desk.ledger.size()


def test_a_tampered_projection_row_fails_verification(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    engine = create_engine(desk.url)
    with engine.begin() as connection:  # a warehouse's insider doubles the receipt's cover
        connection.execute(update(ReceiptRow).values(live_milli=200_000))
    engine.dispose()
    with pytest.raises(VerificationFailed, match=r"finance\.receipts"):
        verify_database(desk.url)
