"""Scenario comparison writes its tables and plots; settings refuse nonsense."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from simulations.config import SECTORS, SimulationConfig
from simulations.errors import ConfigError
from simulations.sanity import figures
from simulations.scenarios import SCENARIOS, compare, scenario_config


def test_compare_writes_tables_and_plots(tmp_path: Path) -> None:
    summary = compare(SimulationConfig(participants=100, months=3, seed=2), tmp_path)
    assert list(summary.index) == list(SCENARIOS)
    loans = summary["receipt_loans"].to_dict()
    assert loans["no-financing"] == 0
    assert loans["baseline"] > 0
    for name in ("summary.csv", "monthly.csv", "summary.md"):
        assert (tmp_path / name).stat().st_size > 0
    for name in ("defaults.png", "losses.png", "volumes.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    monthly = pd.read_csv(tmp_path / "monthly.csv")
    assert len(monthly) == 3 * len(SCENARIOS)


def test_scenarios_share_the_population() -> None:
    base = SimulationConfig(participants=100, months=1, seed=5)
    calm = scenario_config(base, "calm-no-financing")
    assert (calm.warehouse_financing, calm.shocks) == (False, False)
    with pytest.raises(ConfigError):
        scenario_config(base, "utopia")


def test_sanity_figures_are_computed() -> None:
    result = figures(SimulationConfig(participants=100, months=3, seed=1))
    assert len(result) >= 15
    assert all(f.simulated >= 0 or math.isnan(f.simulated) for f in result)  # no default yet
    assert {f.name for f in result} >= {"honest borrowers' annual default rate", "lenders"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"participants": 99}, "participants"),
        ({"participants": 100_001}, "participants"),
        ({"months": 0}, "months"),
        ({"start": date(2024, 1, 15)}, "start"),
        ({"sectors": SECTORS[:-1]}, "sectors"),
        (
            {"sectors": (dataclasses.replace(SECTORS[0], share=1.0, ltv_margin_bp=9999),)},
            "sectors.electronics",
        ),
    ],
)
def test_config_refuses_bad_settings(change: dict[str, object], field: str) -> None:
    with pytest.raises(ConfigError) as caught:
        SimulationConfig(**change)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_end_is_the_first_day_after_the_period() -> None:
    assert SimulationConfig(months=12).end() == date(2025, 1, 1)
    assert SimulationConfig(months=14, start=date(2024, 11, 1)).end() == date(2026, 1, 1)
