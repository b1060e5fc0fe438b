"""Defaults come from state, and show on the ledger with the right ids, as they would in life."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from tests.simulations.conftest import SmallRun


def _by_type(run: SmallRun, *types: str) -> list[dict[str, object]]:
    return [dict(e.payload) for e in run.sink.events if e.type in types]


def test_loan_events_name_loans_and_line_events_name_lines(small_run: SmallRun) -> None:
    loans = {p["loan_id"] for p in _by_type(small_run, "loan.disbursed")}
    lines = {p["line_id"] for p in _by_type(small_run, "credit_line.opened")}
    assert loans
    assert lines
    assert not loans & lines
    for event in small_run.sink.events:
        if event.type.startswith("loan.") and event.type != "loan.disbursed":
            assert event.payload["loan_id"] in loans, event.type
        elif event.type.startswith("credit_line.") and event.type != "credit_line.opened":
            assert event.payload["line_id"] in lines, event.type


def test_every_default_follows_ninety_days_past_due_or_an_insolvency(small_run: SmallRun) -> None:
    past_due: dict[str, list[int]] = defaultdict(list)
    filed: set[str] = set()
    borrower: dict[str, str] = {}
    defaults = []
    for event in small_run.sink.events:  # the sink keeps append order
        p = event.payload
        if event.type in ("loan.disbursed", "credit_line.opened"):
            borrower[p.get("loan_id") or p["line_id"]] = p["borrower"]
        elif event.type.endswith(".past_due"):
            past_due[p.get("loan_id") or p["line_id"]].append(p["days_past_due"])
        elif event.type == "insolvency.filed":
            filed.add(p["debtor"])
        elif event.type.endswith(".defaulted"):
            defaults.append((p.get("loan_id") or p["line_id"], p["reason"]))
    assert "days_past_due" in {reason for _, reason in defaults}
    assert {reason for _, reason in defaults} <= {"days_past_due", "insolvency"}
    for facility, reason in defaults:
        if reason == "days_past_due":
            history = past_due[facility]
            assert history[-1] >= 90, facility
            assert any(1 <= d < 90 for d in history), facility
        else:
            assert borrower[facility] in filed, facility


def test_defaults_on_the_ledger_match_the_ground_truth(small_run: SmallRun) -> None:
    ledger = {}
    for event in small_run.sink.events:
        if event.type.endswith(".defaulted"):
            p = event.payload
            ledger[p.get("loan_id") or p["line_id"]] = event.occurred_at.date()
    loans = pd.read_parquet(small_run.truth / "loans.parquet")
    truth = loans[loans.default_date.notna()]
    assert dict(zip(truth.loan_id, truth.default_date, strict=True)) == ledger
    people = pd.read_parquet(small_run.truth / "participants.parquet").set_index("participant_id")
    first = truth.groupby("borrower").default_date.min()
    assert (people.default_date[first.index] == first).all()


def test_losses_are_learnable_from_the_ledger(small_run: SmallRun) -> None:
    """Exposure at default = recoveries + write-off, per facility, from ledger events alone."""
    ead: dict[str, int] = {}
    recovered: dict[str, int] = defaultdict(int)
    written: dict[str, int] = {}
    for event in small_run.sink.events:
        p = event.payload
        key = str(p.get("loan_id") or p.get("line_id"))
        if event.type.endswith(".defaulted"):
            ead[key] = p["amount"]["amount_minor"]
        elif event.type.endswith(".recovery_posted"):
            recovered[key] += p["amount"]["amount_minor"]
        elif event.type.endswith(".written_off"):
            written[key] = p["amount"]["amount_minor"]
    assert written
    for key, loss in written.items():
        assert loss + recovered[key] == ead[key], key


def test_liquidated_receipts_are_released_and_cancelled(small_run: SmallRun) -> None:
    sold = {p["receipt_id"] for p in _by_type(small_run, "collateral.liquidated")}
    released = {p["receipt_id"] for p in _by_type(small_run, "receipt.released")}
    cancelled = {p["receipt_id"]: p["reason"] for p in _by_type(small_run, "receipt.cancelled")}
    assert sold
    assert sold <= released
    assert all(cancelled[r] == "liquidated" for r in sold)


def test_lines_carry_their_application_and_declines_their_reasons(small_run: SmallRun) -> None:
    decisions = {p["application_id"]: p for p in _by_type(small_run, "credit.decision")}
    applied = {p["application_id"] for p in _by_type(small_run, "credit.application")}
    assert set(decisions) == applied
    for line in _by_type(small_run, "credit_line.opened", "loan.disbursed"):
        assert decisions[line["application_id"]]["decision"] == "approved"
    declined = [p for p in decisions.values() if p["decision"] == "declined"]
    assert declined
    assert all(1 <= len(p["reasons"]) <= 4 for p in declined)


def test_every_repayment_is_a_payment_then_the_lenders_record(small_run: SmallRun) -> None:
    payments = {p["payment_id"]: p for p in _by_type(small_run, "payment.made")}
    repaid = _by_type(small_run, "loan.repaid", "credit_line.repaid")
    assert repaid
    for p in repaid:
        paid = payments[p["payment_id"]]
        assert paid["payee"] == p["lender"]
        assert paid["amount"] == p["amount"]
        assert paid.get("loan_id", paid.get("line_id")) == p.get("loan_id", p.get("line_id"))
