"""One small signed run shared by the simulation tests (generation and checks are slow-ish)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.runner import SimulationSummary, run_simulation
from simulations.sink import MemorySink

# Credit from the second month and more fraud than usual, so that bust-outs, days past due
# and defaults all happen within seven months.
SMALL = SimulationConfig(
    participants=100,
    months=7,
    seed=3,
    credit=CreditConfig(history_months=1),
    fraud=FraudConfig(seller_share=0.15, buyer_share=0.1, spread_months=2),
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SmallRun:
    config: SimulationConfig
    sink: MemorySink
    summary: SimulationSummary
    truth: Path


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> SmallRun:
    truth = tmp_path_factory.mktemp("sim") / "ledger.truth"
    sink = MemorySink(now=NOW)
    summary = run_simulation(SMALL, sink, truth, progress=False)
    return SmallRun(SMALL, sink, summary, truth)
