"""The simulation's credit lines pass the credit-line rules: every act of a simulated year
is accepted, and a simulated ledger with the projection verifies (replay equals the rows)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from finance_api.lending.line_tables import CreditLinePosting, CreditLineRow
from finance_api.lending.rules.lines import Line, apply
from ledger.audit.database import verify_database
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.engine import Simulation
from simulations.runner import run_simulation
from simulations.truth import MemoryTruth

BUSY = SimulationConfig(
    participants=400,
    months=14,
    seed=11,
    credit=CreditConfig(history_months=(1, 1), write_off_days=30, recovery_days=(5, 25)),
    fraud=FraudConfig(seller_share=0.15, buyer_share=0.1, spread_months=2),
)


def test_every_credit_line_act_of_a_simulated_year_is_accepted() -> None:
    seen: list[tuple[str, dict[str, Any], Any]] = []

    def keep(flow: str, etype: str, actor: str, payload: Any, when: Any) -> None:
        if etype.startswith("credit_line."):
            seen.append((etype, dict(payload), when))

    Simulation(BUSY, sign=False, truth=MemoryTruth(), observer=keep).run()
    lines: dict[str, Line] = {}
    for etype, payload, when in seen:
        line_id = payload["line_id"]
        lines[line_id], _ = apply(lines.get(line_id), etype, payload, when.date())
    kinds = Counter(etype for etype, _, _ in seen)
    for needed in ("drawn", "repaid", "frozen", "defaulted", "written_off", "closed"):
        assert kinds[f"credit_line.{needed}"] > 0, needed
    statuses = Counter(line.status for line in lines.values())
    assert statuses["closed"] > 0
    assert statuses["open"] > 0


def test_a_simulated_ledger_keeps_its_lines_and_verifies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    ledger = Ledger.open(url, ledger_key=SigningKey(bytes(range(32))))
    try:
        run_simulation(replace(BUSY, participants=150, months=10), ledger, tmp_path / "truth",
                       progress=False)  # fmt: skip
    finally:
        ledger.close()
    report = verify_database(url)
    assert report.tree_size > 0
    engine = create_engine(url)
    with engine.connect() as connection:
        balances = dict(connection.execute(select(
            CreditLineRow.line_id,
            CreditLineRow.principal_minor + CreditLineRow.interest_minor + CreditLineRow.fees_minor,
        )).all())  # fmt: skip
        posted = dict(connection.execute(
            select(CreditLinePosting.line_id, func.sum(CreditLinePosting.amount_minor))
            .group_by(CreditLinePosting.line_id)
        ).all())  # fmt: skip
    engine.dispose()
    assert len(balances) > 10
    assert balances == {line_id: posted.get(line_id, 0) for line_id in balances}
