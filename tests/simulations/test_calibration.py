"""Defaults and distress against the documented bands, over a 36-month run.

One dry run of 3,000 participants for 36 months (about half a minute) is shared by the
module. Bands (``simulations/README.md``): honest borrowers default at 1-6 % a year in every
size segment; fraud is a minority of defaults; defaults can come early; firms in distress
seek credit and some get it; a bust-out hits several lenders.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pytest

from simulations.config import SimulationConfig
from simulations.population import build_population
from tests.simulations.conftest import observed

pytestmark = pytest.mark.slow

CONFIG = SimulationConfig(participants=3000, months=36, seed=1)


@dataclass(frozen=True)
class Run:
    sellers: pd.DataFrame  # one row per seller, ground truth plus borrower-months
    monthly: pd.DataFrame
    applications: pd.DataFrame  # actor, month
    defaults: pd.DataFrame  # facility, lender, borrower, reason, day


@pytest.fixture(scope="module")
def run() -> Run:
    _sim, seen, truth = observed(
        CONFIG,
        lambda t: (
            t
            in (
                "credit.application",
                "loan.defaulted",
                "credit_line.defaulted",
                "loan.disbursed",
                "credit_line.opened",
            )
        ),
    )
    monthly = pd.concat([pd.DataFrame(rows) for rows in truth.months], ignore_index=True)
    people = pd.DataFrame(truth.participants).set_index("participant_id")
    sellers = people[people.role == "seller"].copy()
    months = monthly[monthly.role == "seller"].assign(borrower=lambda m: m.facilities > 0)
    sellers["borrower_months"] = months.groupby("participant_id").borrower.sum()
    apps = pd.DataFrame(
        [
            (actor, when.strftime("%Y-%m"))
            for _, etype, actor, _, when in seen
            if etype == "credit.application"
        ],
        columns=["participant_id", "month"],
    )
    borrower = {
        p.get("loan_id") or p["line_id"]: p["borrower"]
        for _, t, _, p, _ in seen
        if t in ("loan.disbursed", "credit_line.opened")
    }
    defaults = pd.DataFrame(
        [
            (
                p.get("loan_id") or p["line_id"],
                actor,
                borrower[p.get("loan_id") or p["line_id"]],
                p["reason"],
                when.date(),
            )
            for _, t, actor, p, when in seen
            if t.endswith("defaulted")
        ],
        columns=["facility", "lender", "borrower", "reason", "day"],
    )
    return Run(sellers, monthly, apps, defaults)


def test_honest_default_rate_is_inside_the_band_in_every_size_segment(run: Run) -> None:
    honest = run.sellers[~run.sellers.fraud.astype(bool)]
    for size, group in honest.groupby("size"):
        years = group.borrower_months.sum() / 12
        rate = group.default_date.notna().sum() / years
        assert 0.01 <= rate <= 0.06, (size, rate)
    assert honest.default_date.notna().sum() >= 60  # about 360 at 10,000 x 36


def test_fraud_is_a_minority_of_defaults(run: Run) -> None:
    defaulted = run.sellers[run.sellers.default_date.notna()]
    assert 0 < defaulted.fraud.astype(bool).mean() < 0.5


def test_defaults_come_early_and_late_and_by_both_roads(run: Run) -> None:
    days = pd.to_datetime(run.defaults.day)
    assert days.min() < pd.Timestamp(date(2024, 9, 1))  # possible from month 5
    assert days.max() > pd.Timestamp(date(2026, 6, 1))
    assert set(run.defaults.reason) == {"days_past_due", "insolvency"}


def test_firms_in_distress_seek_credit_and_some_get_it(run: Run) -> None:
    months = run.monthly[run.monthly.role == "seller"]
    applied = set(zip(run.applications.participant_id, run.applications.month, strict=True))
    months = months.assign(
        applied=[
            (p, m) in applied for p, m in zip(months.participant_id, months.month, strict=True)
        ]
    )
    rates = months[months.status == "active"].groupby("distressed").applied.mean()
    assert rates[True] > 1.3 * rates[False]
    failed = run.sellers[run.sellers.failure_date.notna() & ~run.sellers.fraud.astype(bool)]
    assert (failed.borrower_months > 0).mean() > 0.3


def test_a_bust_out_hits_several_lenders(run: Run) -> None:
    fraud = set(run.sellers.index[run.sellers.fraud.astype(bool)])
    hit = run.defaults[run.defaults.borrower.isin(fraud)].groupby("borrower").lender.nunique()
    assert hit.mean() >= 1.5
    assert (hit >= 2).mean() >= 0.3
    assert hit.max() >= 3


def test_lenders_scale_with_the_population() -> None:
    counts = defaultdict(int)
    for n in (1000, 10_000):
        counts[n] = len(build_population(SimulationConfig(participants=n, months=1)).lenders)
    assert counts[1000] >= 5
    assert counts[10_000] >= 10 * counts[1000] * 0.9
