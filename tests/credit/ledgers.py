"""Simulated ledgers for the ledger-feature tests, on SQLite and on PostgreSQL.

One small world (credit from the second month, more fraud than usual, so defaults happen
within the run) is simulated once per backend and session; its ground truth lies beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from ledger.core.clock import FixedClock
from ledger.core.events import Event, format_timestamp
from ledger.log import Ledger
from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.runner import ledger_key_for, run_simulation, simulation_clock
from simulations.signer import agent_key

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


def grant_score_consent(ledger: Ledger, seed: int, subject: str, grantee: str) -> None:
    """``subject`` (a simulated agent, signing with its own key) lets ``grantee`` see its
    score for 30 days from the ledger's now."""
    now = ledger.clock.now()
    ledger.append(Event.create(
        agent_key(seed, subject), flow="information", type="consent.granted", actor=subject,
        payload={"consent_id": f"c-{subject}-{grantee}", "subject": subject, "grantee": grantee,
                 "scope": ["score"], "expires_at": format_timestamp(now + timedelta(days=30))},
        occurred_at=now, subjects=[grantee],
    ))  # fmt: skip
