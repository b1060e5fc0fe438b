"""Defaults come from state, and show in the ledger the way they would in life."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest
from scipy.stats import fisher_exact  # type: ignore[import-untyped]

from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.truth import participant_rows
from tests.simulations.conftest import SmallRun


def test_every_default_follows_days_past_due_reaching_ninety(small_run: SmallRun) -> None:
    past_due: dict[str, list[int]] = defaultdict(list)
    defaults = []
    for event in small_run.sink.events:  # the sink keeps append order
        if event.type == "loan.past_due":
            past_due[event.payload["loan_id"]].append(event.payload["days_past_due"])
        elif event.type == "loan.defaulted":
            defaults.append(event.payload["loan_id"])
    assert defaults
    for loan_id in defaults:
        history = past_due[loan_id]
        assert history, loan_id
        assert history[-1] >= 90, loan_id
        assert any(1 <= dpd < 90 for dpd in history), loan_id


def test_defaults_in_the_ledger_match_the_ground_truth(small_run: SmallRun) -> None:
    ledger = {e.payload["loan_id"] for e in small_run.sink.events if e.type == "loan.defaulted"}
    loans = pd.read_parquet(small_run.truth / "loans.parquet")
    assert set(loans.loan_id[loans.status == "defaulted"]) == ledger
    opened = {
        e.payload.get("line_id") or e.payload.get("loan_id")
        for e in small_run.sink.events
        if e.type in ("credit_line.opened", "loan.disbursed")
    }
    assert ledger <= opened


@pytest.mark.slow
def test_low_latent_creditworthiness_defaults_more() -> None:
    sim = Simulation(SimulationConfig(participants=600, months=20, seed=3), sign=False)
    sim.run()
    people = pd.DataFrame(participant_rows(sim))
    sellers = people[(people.role == "seller") & ~people.fraud.astype(bool)]
    low_cut, high_cut = sellers.latent_credit_start.quantile([1 / 3, 2 / 3])
    low = sellers[sellers.latent_credit_start < low_cut]
    high = sellers[sellers.latent_credit_start > high_cut]

    def failed(group: pd.DataFrame) -> tuple[int, int]:
        bad = int((group.default_date.notna() | group.failure_date.notna()).sum())
        return bad, len(group) - bad

    table = [failed(low), failed(high)]
    low_rate, high_rate = (bad / (bad + good) for bad, good in table)
    assert low_rate > 3 * high_rate
    assert fisher_exact(table, alternative="greater").pvalue < 1e-3
    # And on loans alone, among honest borrowers (90 days past due, the Basel default).
    borrowers = {f"{s.pid}" for s in sim.population.sellers if s.lines or s.loans}
    with_credit = sellers[sellers.participant_id.isin(borrowers)]
    median = with_credit.latent_credit_start.median()
    below = with_credit[with_credit.latent_credit_start < median].default_date.notna().mean()
    above = with_credit[with_credit.latent_credit_start >= median].default_date.notna().mean()
    assert below > above
