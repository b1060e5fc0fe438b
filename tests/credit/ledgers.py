"""Simulated ledgers for the ledger-feature tests, on SQLite and on PostgreSQL.

One small world (credit from the second month, more fraud than usual, so defaults happen
within the run) is simulated once per backend and session; its ground truth lies beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ledger.core.clock import FixedClock
from ledger.log import Ledger
from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.runner import ledger_key_for, run_simulation, simulation_clock

WORLD = SimulationConfig(
    participants=120,
    months=9,
    seed=5,
    credit=CreditConfig(history_months=(1, 1), write_off_days=30, recovery_days=(5, 25)),
    fraud=FraudConfig(seller_share=0.15, buyer_share=0.1, spread_months=2),
)


@dataclass(frozen=True)
class SimLedger:
    url: str
    truth: Path
    config: SimulationConfig
    clock: FixedClock
    size: int

    def open(self) -> Ledger:
        return Ledger.open(self.url, ledger_key=ledger_key_for(self.config.seed), clock=self.clock)


def simulate_into(url: str, truth: Path, config: SimulationConfig = WORLD) -> SimLedger:
    clock = simulation_clock(config)
    ledger = Ledger.open(url, ledger_key=ledger_key_for(config.seed), clock=clock)
    try:
        run_simulation(config, ledger, truth, progress=False, clock=clock)
        ledger.checkpoint()
        size = ledger.size()
    finally:
        ledger.close()
    return SimLedger(url, truth, config, clock, size)
