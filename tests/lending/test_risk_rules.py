"""The pure risk rules of receipt loans and whole books: every LTV band move, the
days-past-due buckets, stock findings, the warehouse split and the concentration threshold."""

from __future__ import annotations

import itertools

import pytest

from finance_api.domain.collateral import BANDS, CollateralPolicy, band
from finance_api.lending.rules.alerts import ConcentrationPolicy
from finance_api.lending.rules.risk import (
    Exposure,
    LtvMove,
    StockFinding,
    by_dimension,
    concentration_alerts,
    loan_dpd_alert,
    ltv_alerts,
    stock_alert,
)

POINTS = {"advance_bp": 7000, "margin_call_bp": 8000, "liquidation_bp": 9000}


def move(before: str | None, after: str) -> LtvMove:
    return LtvMove("loan-1", "bank-a", "seller", before, after, 8100, 100, 123, 1000, 5, POINTS)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(None, None), (0, "within_advance"), (7000, "within_advance"), (7001, "over_advance"),
     (7999, "over_advance"), (8000, "margin_call"), (8999, "margin_call"),
     (9000, "liquidation"), (10**6, "liquidation")],
)  # fmt: skip
def test_bands_follow_the_policy_points(ratio: int | None, expected: str | None) -> None:
    assert band(ratio, CollateralPolicy()) == expected


def test_every_band_move_alerts_only_when_worse_or_when_the_call_clears() -> None:
    expected = {"over_advance": ("limit_breach", "medium"),
                "margin_call": ("ltv_margin_call", "high"),
                "liquidation": ("ltv_liquidation", "critical")}  # fmt: skip
    for before, after in itertools.product((None, *BANDS), BANDS):
        got = [(a.kind, a.severity) for a in ltv_alerts(move(before, after))]
        was = BANDS.index(before or BANDS[0])
        now = BANDS.index(after)
        if now > was:
            assert got == [expected[after]], (before, after)
        elif was >= 2 > now:
            assert got == [("ltv_cleared", "low")], (before, after)
        else:
            assert got == [], (before, after)
    [alert] = ltv_alerts(move("over_advance", "margin_call"))
    assert (alert.subject, alert.lender, alert.detail["price_minor"]) == ("loan-1", "bank-a", 5)


def test_days_past_due_alert_on_entering_a_worse_bucket() -> None:
    assert loan_dpd_alert("l", "a", "b", 0, 0, 0) is None
    assert loan_dpd_alert("l", "a", "b", 1, 29, 5) is None
    for before, now, severity in ((0, 1, "low"), (29, 30, "medium"), (5, 60, "high"),
                                  (89, 90, "critical")):  # fmt: skip
        alert = loan_dpd_alert("l", "a", "b", before, now, 7)
        assert alert is not None
        assert (alert.severity, alert.detail["days_past_due"]) == (severity, now)
    assert loan_dpd_alert("l", "a", "b", 95, 40, 7) is None  # better: nothing


def test_a_stock_finding_names_the_receipt_and_the_shortfall() -> None:
    found = StockFinding("count_below_receipts", "wh", "lot", 100_000, 100_000, 90_000)
    alert = stock_alert(found, "r-1", "bank-a", "seller", 100_000, None)
    assert (alert.kind, alert.subject, alert.severity) == ("count_below_receipts", "r-1",
                                                           "critical")  # fmt: skip
    assert alert.detail["shortfall_milli"] == 10_000
    assert "loan_id" not in alert.detail
    lost = StockFinding("stock_below_receipts", "wh", "lot", 80_000, 100_000, None)
    assert stock_alert(lost, "r-1", "b", "s", 1, "loan-1").detail["shortfall_milli"] == 20_000


def test_a_loan_on_two_warehouses_is_split_by_pledged_quantity() -> None:
    loan = Exposure("loan:1", "s", "CN", 1_000, "copper", {"wh-a": 1, "wh-b": 2})
    line = Exposure("line:1", "t", "VN", 500)
    shares = by_dimension([loan, line])
    assert shares == {"debtor": {"s": 1_000, "t": 500}, "country": {"CN": 1_000, "VN": 500},
                      "commodity": {"copper": 1_000},
                      "warehouse": {"wh-a": 333, "wh-b": 666}}  # fmt: skip


def test_concentration_needs_the_book_size_and_strictly_more_than_the_threshold() -> None:
    policy = ConcentrationPolicy(share_bp=2_500, min_borrowers=4)
    flagged: set[tuple[str, str]] = set()
    even = [Exposure(f"line:{i}", f"d{i}", f"C{i}", 100) for i in range(4)]
    assert concentration_alerts("a", "USD", even, flagged, policy) == []  # 25% is not over
    three = [Exposure(f"line:{i}", f"d{i}", "CN", 100 + i) for i in range(3)]
    assert concentration_alerts("a", "USD", three, flagged, policy) == []  # too few debtors
    heavy = [*even[:3], Exposure("line:3", "d3", "C3", 101)]
    raised = concentration_alerts("a", "USD", heavy, flagged, policy)
    assert [(a.subject, a.detail["share_bp"]) for a in raised] == [
        ("debtor:d3", 101 * 10_000 // 401), ("country:C3", 101 * 10_000 // 401)]  # fmt: skip
    assert raised[0].borrower == "d3"
    assert raised[1].borrower == ""
    assert concentration_alerts("a", "USD", heavy, flagged, policy) == []  # once
    assert concentration_alerts("a", "USD", even, flagged, policy) == []  # back below
    assert flagged == set()
    assert len(concentration_alerts("a", "USD", heavy, flagged, policy)) == 2  # and again
