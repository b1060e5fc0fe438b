"""One small signed run shared by the simulation tests (generation and checks are slow-ish),
and dry runs with an observer for the statistical tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.engine import Simulation
from simulations.runner import SimulationSummary, run_simulation, simulation_clock
from simulations.sink import MemorySink
from simulations.truth import MemoryTruth

# Credit from the second month, recoveries and write-offs within weeks, and more fraud than
# usual, so that bust-outs, days past due, defaults, collateral sales, recoveries and
# write-offs all happen within ten months.
SMALL = SimulationConfig(
    participants=150,
    months=10,
    seed=4,
    credit=CreditConfig(history_months=(1, 1), write_off_days=30, recovery_days=(5, 25)),
    fraud=FraudConfig(seller_share=0.15, buyer_share=0.1, spread_months=2),
)


@dataclass(frozen=True)
class SmallRun:
    config: SimulationConfig
    sink: MemorySink
    summary: SimulationSummary
    truth: Path


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> SmallRun:
    truth = tmp_path_factory.mktemp("sim") / "ledger.truth"
    clock = simulation_clock(SMALL)
    sink = MemorySink(clock=clock)
    summary = run_simulation(SMALL, sink, truth, progress=False, clock=clock)
    return SmallRun(SMALL, sink, summary, truth)


Seen = list[tuple[str, str, str, Mapping[str, Any], datetime]]


def observed(
    config: SimulationConfig, keep: Callable[[str], bool]
) -> tuple[Simulation, Seen, MemoryTruth]:
    """A dry run that keeps the (flow, type, actor, payload, time) of the types ``keep``s."""
    seen: Seen = []

    def observer(
        flow: str, etype: str, actor: str, payload: Mapping[str, Any], when: datetime
    ) -> None:
        if keep(etype):
            seen.append((flow, etype, actor, payload, when))

    truth = MemoryTruth()
    sim = Simulation(config, sign=False, truth=truth, observer=observer)
    sim.run()
    return sim, seen, truth
