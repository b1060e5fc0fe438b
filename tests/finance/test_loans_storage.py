"""Loans against receipts on SQLite and PostgreSQL: advance, postings, waterfall, margin
calls with cure, liquidation, and the balance as the sum of the postings.

100 t of aluminium under a receipt worth 200,000.00; base metals: 3% haircut, advance 70%,
margin call 80%, liquidation 90%. Without a market price the collateral is worth
194,000.00 (at most 135,800.00 lent); at 1,600.00 a tonne it is worth 155,200.00 and a
130,000.00 loan is at 83.77% (margin call); at 1,450.00 it is worth 140,650.00: 92.43%.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from finance_api.domain import errors as e
from finance_api.receipts.tables import LoanRow, MarginCallRow, PostingRow, ReceiptRow
from tests.finance.desk import LENDERS, Desk, usd
from tests.finance.test_receipts_storage import VALUE, refused

A, B, _ = LENDERS
LOAN = 13_000_000


def pledged_loan(desk: Desk, principal: int = LOAN) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    desk.pledge("r-1", A, loan="loan-1")
    desk.disburse("loan-1", A, principal, "r-1")


def balance_of_postings(desk: Desk, loan: str) -> int:
    with desk.ledger.reading() as connection:
        total = connection.execute(
            select(
                func.sum(
                    PostingRow.fees_delta + PostingRow.interest_delta + PostingRow.principal_delta
                )
            ).where(PostingRow.loan_id == loan)
        ).scalar_one()
    return int(total or 0)


def owed(desk: Desk, loan: str = "loan-1") -> tuple[int, int, int]:
    row = desk.row(LoanRow, loan_id=loan)
    assert row.owed_fees + row.owed_interest + row.owed_principal == balance_of_postings(desk, loan)
    return row.owed_fees, row.owed_interest, row.owed_principal


def test_a_disbursement_needs_the_pledge_and_stays_within_the_advance_rate(desk: Desk) -> None:
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 100, VALUE)
    refused(
        desk, e.NotPledged, "payload.receipt_id", lambda: desk.disburse("loan-1", A, LOAN, "r-1")
    )
    desk.pledge("r-1", A)
    refused(
        desk, e.NotPledgee, "payload.receipt_id", lambda: desk.disburse("loan-1", B, LOAN, "r-1")
    )
    error = refused(
        desk,
        e.AdvanceExceeded,
        "payload.principal.amount_minor",
        lambda: desk.disburse("loan-1", A, 13_580_001, "r-1"),
    )
    assert error.code == "advance_exceeded"
    desk.disburse("loan-1", A, 13_580_000, "r-1")
    assert desk.row(ReceiptRow, receipt_id="r-1").loan_id == "loan-1"
    assert desk.row(LoanRow, loan_id="loan-1").ltv_bp == 7000


def test_repayments_pay_fees_then_interest_then_principal_and_never_more(desk: Desk) -> None:
    pledged_loan(desk)
    desk.loan_act(A, "fee_posted", "loan-1", amount=usd(50_000), fee="origination")
    # 31 days on 130,000.00 at 9% a year, ACT/365: 993.6986 -> 993.70
    desk.loan_act(A, "interest_posted", "loan-1", days=31, amount=usd(99_370), rate_bp=900)
    assert owed(desk) == (50_000, 99_370, LOAN)
    desk.repay(A, "loan-1", 100_000)
    assert owed(desk) == (0, 49_370, LOAN)
    refused(desk, e.NotLender, "payload.lender", lambda: desk.repay(B, "loan-1", 1))
    refused(
        desk,
        e.Overpayment,
        "payload.amount.amount_minor",
        lambda: desk.repay(A, "loan-1", LOAN + 49_371),
    )
    refused(
        desk,
        e.CurrencyMismatch,
        "payload.amount.currency",
        lambda: desk.loan_act(A, "repaid", "loan-1", amount={"amount_minor": 1, "currency": "EUR"}),
    )


def test_full_repayment_releases_the_receipt_and_the_goods_may_leave(desk: Desk) -> None:
    pledged_loan(desk)
    refused(desk, e.GoodsEncumbered, "payload.quantity", lambda: desk.goods_out("lot-1", 1))
    desk.repay(A, "loan-1", LOAN)
    assert desk.row(LoanRow, loan_id="loan-1").status == "repaid"
    assert desk.row(ReceiptRow, receipt_id="r-1").pledged_to is None
    desk.release("r-1", A, reason="repaid")  # the lender's own record is accepted
    refused(desk, e.LoanClosed, "payload.loan_id", lambda: desk.repay(A, "loan-1", 1))
    desk.cancel("r-1")
    desk.goods_out("lot-1", 100)


def test_a_margin_call_needs_the_ledger_s_ltv_and_is_cured_by_a_top_up(desk: Desk) -> None:
    pledged_loan(desk)
    refused(
        desk,
        e.LtvRuleNotMet,
        "payload.ltv_bp",
        lambda: desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8000),
    )
    desk.price(160_000, change_bp=-2000)
    assert desk.row(LoanRow, loan_id="loan-1").ltv_state == "margin_call"
    refused(
        desk,
        e.LtvRuleNotMet,
        "payload.ltv_bp",
        lambda: desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8000),
    )
    refused(
        desk,
        e.LtvRuleNotMet,
        "payload.cure_by",
        lambda: desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8377, cure_by="2025-03-07"),
    )
    desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8377)
    call = desk.row(MarginCallRow, loan_id="loan-1")
    assert call.cure_by == "2025-03-10"  # five business days after Monday 3 March
    assert call.amount_due_minor == LOAN - 155_200_00 * 7000 // 10_000
    refused(
        desk,
        e.MarginCallOpen,
        "payload.loan_id",
        lambda: desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8377),
    )
    refused(
        desk,
        e.LtvRuleNotMet,
        "payload.ltv_bp",
        lambda: desk.loan_act(A, "margin_cured", "loan-1", ltv_bp=0),
    )
    refused(desk, e.LtvRuleNotMet, "payload.loan_id", lambda: desk.liquidate(A, "loan-1", "r-1", 1))
    desk.receive("lot-2", 20)  # the borrower tops up with 20 t more
    desk.issue("r-2", "lot-2", 20, VALUE // 5)
    desk.pledge("r-2", A, loan="loan-1")
    assert desk.row(LoanRow, loan_id="loan-1").ltv_bp == 6981
    desk.loan_act(A, "margin_cured", "loan-1", ltv_bp=6981)
    assert desk.row(MarginCallRow, loan_id="loan-1").outcome == "cured"
    refused(
        desk,
        e.NoMarginCall,
        "payload.loan_id",
        lambda: desk.loan_act(A, "margin_cured", "loan-1", ltv_bp=0),
    )


def test_past_the_cure_date_the_lender_liquidates_through_the_waterfall(desk: Desk) -> None:
    pledged_loan(desk)
    desk.loan_act(A, "fee_posted", "loan-1", amount=usd(10_000), fee="late_payment")
    desk.price(160_000)
    desk.loan_act(A, "margin_called", "loan-1", ltv_bp=8383)
    refused(
        desk,
        e.LtvRuleNotMet,
        "payload.loan_id",
        lambda: desk.liquidate(A, "loan-1", "r-1", 1, days=6),
    )
    refused(
        desk, e.NotLender, "payload.lender", lambda: desk.liquidate(B, "loan-1", "r-1", 1, days=8)
    )
    desk.liquidate(A, "loan-1", "r-1", 14_000_000, days=8)  # Tuesday 11 March: past the cure date
    row = desk.row(LoanRow, loan_id="loan-1")
    assert (row.status, row.surplus_minor) == ("liquidated", 14_000_000 - LOAN - 10_000)
    assert owed(desk) == (0, 0, 0)
    assert desk.row(ReceiptRow, receipt_id="r-1").status == "liquidated"
    desk.release("r-1", A, reason="liquidation")
    desk.cancel("r-1", reason="liquidated")
    assert desk.row(MarginCallRow, loan_id="loan-1").outcome == "liquidated"


def test_past_the_liquidation_point_a_shortfall_stays_owed_unsecured(desk: Desk) -> None:
    pledged_loan(desk)
    desk.price(145_000, change_bp=-2750)
    assert desk.row(LoanRow, loan_id="loan-1").ltv_state == "liquidation"
    desk.liquidate(A, "loan-1", "r-1", 12_000_000)
    assert owed(desk) == (0, 0, 1_000_000)
    desk.release("r-1", A, reason="liquidation")
    row = desk.row(LoanRow, loan_id="loan-1")
    assert (row.status, row.ltv_state) == ("open", "unsecured")
    refused(desk, e.ReceiptNotLive, "payload.receipt_id", lambda: desk.pledge("r-1", B))


@pytest.mark.parametrize("proceeds", [0, 5_000_000])
def test_after_default_a_sale_is_matched_by_its_recovery(desk: Desk, proceeds: int) -> None:
    pledged_loan(desk)
    desk.loan_act(A, "defaulted", "loan-1", amount=usd(LOAN), reason="days_past_due")
    desk.liquidate(A, "loan-1", "r-1", proceeds)
    if proceeds:
        refused(
            desk,
            e.Overpayment,
            "payload.amount.amount_minor",
            lambda: desk.loan_act(
                A, "recovery_posted", "loan-1", amount=usd(proceeds + 1), source="collateral_sale"
            ),
        )
        desk.loan_act(
            A, "recovery_posted", "loan-1", amount=usd(proceeds), source="collateral_sale"
        )
    desk.loan_act(A, "written_off", "loan-1", amount=usd(LOAN - proceeds))
    assert desk.row(LoanRow, loan_id="loan-1").status == "written_off"
    assert owed(desk) == (0, 0, 0)


def test_receipts_on_one_lot_share_what_it_still_holds(desk: Desk) -> None:
    # two receipts of 50 t on a lot of 100 t; 60 t are lost: the 40 t left back both
    # loans pro rata (20 t each, 3,880,000 after the 3% haircut), never 40 t each
    desk.receive("lot-1", 100)
    desk.issue("r-1", "lot-1", 50, VALUE // 2)
    desk.issue("r-2", "lot-1", 50, VALUE // 2)
    desk.pledge("r-1", A, loan="loan-1")
    desk.pledge("r-2", B, loan="loan-2")
    desk.disburse("loan-1", A, 1_000_000, "r-1")
    desk.disburse("loan-2", B, 1_000_000, "r-2")
    desk.lose("lot-1", 60)
    desk.price(200_000)
    values = [desk.row(LoanRow, loan_id=loan).value_minor for loan in ("loan-1", "loan-2")]
    assert values == [3_880_000, 3_880_000]
