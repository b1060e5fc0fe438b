"""Ground truth is written beside the ledger, complete, and never inside it."""

from __future__ import annotations

import pandas as pd

from tests.simulations.conftest import SmallRun

TRUTH_WORDS = (
    "fraud",
    "latent",
    "creditworth",
    "quality",
    "truth",
    "discipline",
    "label",
    "distress",
    "intent",
    "hidden",
    "ring",
)


def test_files_are_written_and_complete(small_run: SmallRun) -> None:
    people = pd.read_parquet(small_run.truth / "participants.parquet")
    monthly = pd.read_parquet(small_run.truth / "monthly.parquet")
    loans = pd.read_parquet(small_run.truth / "loans.parquet")
    markets = pd.read_parquet(small_run.truth / "markets.parquet")
    assert set(people.participant_id) == set(small_run.sink.participants)
    assert people.fraud.any()
    assert not people.fraud.all()
    firms = people[people.role.isin(["seller", "buyer"])]
    assert firms.latent_credit_start.notna().all()
    assert len(monthly) == small_run.config.months * len(firms)
    assert set(monthly.month) == {f"2024-{m:02d}" for m in range(1, 11)}
    assert {"latent_logistics", "distressed", "cash_minor"} <= set(monthly.columns)
    assert {"fraud_type", "distress_months", "failure_date"} <= set(people.columns)
    assert {"credit_line", "receipt_loan"} <= set(loans["product"])
    assert (loans.loss_minor >= 0).all()
    assert set(markets.kind) == {"market", "commodity"}


def test_nothing_of_the_ground_truth_reaches_the_ledger(small_run: SmallRun) -> None:
    def keys(value: object) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for item in value.values() for k in keys(item)}
        if isinstance(value, list):
            return {k for item in value for k in keys(item)}
        return set()

    seen = set()
    for event in small_run.sink.events:
        seen |= keys(dict(event.payload))
        assert not any(word in event.type for word in TRUTH_WORDS)
    assert not [k for k in seen if any(word in k.lower() for word in TRUTH_WORDS)]
    names = [reg.legal_name.lower() for reg in small_run.sink.participants.values()]
    assert not [n for n in names if any(word in n for word in TRUTH_WORDS)]
    assert not (small_run.truth / "ledger.db").exists()
