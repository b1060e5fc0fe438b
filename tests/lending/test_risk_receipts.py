"""Risk alerts on warehouse-receipt loans, on SQLite and PostgreSQL: LTV bands (limit
breach, margin-call point, liquidation point, cleared), days past due, stock reconciliation
failures, each raised exactly once when it should be and never otherwise, and equal to a
replay of the log (``threeflow verify``'s projection check).

100 t of aluminium under a receipt worth 200,000.00 (3% haircut; advance 70%, margin call
80%, liquidation 90%); a 130,000.00 loan is at 6702 bp with no market price; at 1,800.00 a
tonne the collateral is worth 174,600.00 (7446 bp: over the advance rate), at 1,600.00
155,200.00 (8377 bp: margin call), at 1,450.00 140,650.00 (9243 bp: liquidation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from finance_api.lending.alert_tables import RiskAlertRow
from ledger.audit.projections import check_projections
from ledger.log import Ledger
from ledger.storage.projections import Projectors
from tests.finance.desk import LENDERS, WAREHOUSE, Desk, register
from tests.ledger.conftest import ledger_url, postgres_store, sqlite_store, store  # noqa: F401
from tests.ledger.scenario import open_ledger

A, B, _ = LENDERS
VALUE, LOAN = 20_000_000, 13_000_000


@pytest.fixture
def desk(ledger_url: str) -> Iterator[Desk]:  # noqa: F811
    with open_ledger(ledger_url) as ledger:
        register(ledger)
        yield Desk(ledger, ledger_url)


def alerts(ledger: Ledger, *kinds: str) -> list[Any]:
    t = RiskAlertRow
    query = select(t.__table__).order_by(t.seq, t.kind, t.subject)
    if kinds:
        query = query.where(t.kind.in_(kinds))
    with ledger.reading() as connection:
        return list(connection.execute(query))


def pledged_loan(desk: Desk, loan: str = "loan-1", lot: str = "lot-1", lender: str = A) -> None:
    desk.receive(lot, 100)
    desk.issue(f"r-{loan}", lot, 100, VALUE)
    desk.pledge(f"r-{loan}", lender, loan=loan)
    desk.disburse(loan, lender, LOAN, f"r-{loan}")


def replays_equal(ledger: Ledger) -> None:
    with ledger.reading() as connection:
        checks = {c.name: c for c in check_projections(connection, Projectors.installed())}
    assert checks["lending.risk"].rows > 0


def test_ltv_bands_alert_once_each_way_and_a_top_up_clears_the_call(desk: Desk) -> None:
    pledged_loan(desk)
    assert alerts(desk.ledger) == []  # disbursed within the advance rate: nothing
    breach = desk.price(180_000)
    desk.price(179_000)  # still over the advance rate: no second alert
    call = desk.price(160_000, change_bp=-1100)
    desk.price(159_000)  # still in the call band
    sale = desk.price(145_000)
    back = desk.price(160_000)  # back to the call band: better, not cleared
    got = [(a.seq, a.kind, a.subject, a.severity) for a in alerts(desk.ledger)]
    assert got == [
        (breach.seq, "limit_breach", "loan-1", "medium"),
        (call.seq, "ltv_margin_call", "loan-1", "high"),
        (sale.seq, "ltv_liquidation", "loan-1", "critical"),
    ]
    detail = alerts(desk.ledger, "ltv_margin_call")[0].detail
    assert detail == {"product": "receipt_loan", "loan_id": "loan-1", "ltv_bp": 8377,
                      "owed_minor": LOAN, "collateral_value_minor": 15_520_000,
                      "quantity_milli": 100_000, "price_minor": 160_000, "band": "margin_call",
                      "previous_band": "over_advance", "advance_bp": 7000,
                      "margin_call_bp": 8000, "liquidation_bp": 9000}  # fmt: skip
    assert alerts(desk.ledger, "ltv_margin_call")[0].lender == A
    desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8377)
    desk.receive("lot-2", 20)  # the borrower tops up with 20 t more: 6981 bp
    desk.issue("r-2", "lot-2", 20, VALUE // 5)
    top_up = desk.pledge("r-2", A, loan="loan-1")
    cleared = alerts(desk.ledger, "ltv_cleared")
    assert [(a.seq, a.severity, a.detail["ltv_bp"], a.detail["quantity_milli"])
            for a in cleared] == [(top_up.seq, "low", 6981, 120_000)]  # fmt: skip
    desk.loan_act(A, "margin_cured", "loan-1", ltv_bp=6981)
    assert len(alerts(desk.ledger)) == 4  # the cure event itself changes no band
    assert back.seq < top_up.seq
    replays_equal(desk.ledger)


def test_days_past_due_on_a_receipt_loan_alert_on_a_worse_bucket_only(desk: Desk) -> None:
    pledged_loan(desk)
    first = desk.loan_act(A, "past_due", "loan-1", days_past_due=5,
                          amount={"amount_minor": 50_000, "currency": "USD"})  # fmt: skip
    desk.loan_act(A, "past_due", "loan-1", days_past_due=20,
                  amount={"amount_minor": 50_000, "currency": "USD"})  # fmt: skip
    worse = desk.loan_act(A, "past_due", "loan-1", days_past_due=31,
                          amount={"amount_minor": 80_000, "currency": "USD"})  # fmt: skip
    got = [(a.seq, a.severity, a.detail["bucket"], a.detail["arrears_minor"])
           for a in alerts(desk.ledger, "days_past_due")]  # fmt: skip
    assert got == [(first.seq, "low", "1-29", 50_000), (worse.seq, "medium", "30-59", 80_000)]
    replays_equal(desk.ledger)


def test_a_count_below_the_pledged_receipts_alerts_each_pledgee(desk: Desk) -> None:
    pledged_loan(desk, "loan-1", "lot-1", A)
    desk.count("lot-1", 100)  # agrees with the book and the receipts: nothing
    assert alerts(desk.ledger) == []
    short = desk.count("lot-1", 90)
    got = [(a.seq, a.kind, a.subject, a.lender, a.severity) for a in alerts(desk.ledger)]
    assert got == [(short.seq, "count_below_receipts", "r-loan-1", A, "critical"),
                   (short.seq, "count_differs_from_book", "r-loan-1", A, "medium")]  # fmt: skip
    detail = alerts(desk.ledger, "count_below_receipts")[0].detail
    assert (detail["counted_milli"], detail["loan_id"]) == (90_000, "loan-1")
    assert (detail["warehouse_id"], detail["shortfall_milli"]) == (WAREHOUSE, 10_000)
    lost = desk.lose("lot-1", 20)
    uncovered = alerts(desk.ledger, "stock_below_receipts")
    assert [(a.seq, a.subject, a.detail["held_milli"]) for a in uncovered] == [
        (lost.seq, "r-loan-1", 80_000)
    ]
    replays_equal(desk.ledger)
