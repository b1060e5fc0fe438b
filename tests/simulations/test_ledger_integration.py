"""Integration: a small simulation into a real SQLite ledger, which then verifies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from ledger.audit.database import verify_database
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from simulations.cli import app, truth_path_for
from simulations.config import SimulationConfig
from simulations.runner import run_simulation


def test_a_hundred_participants_for_two_months_into_sqlite_verify(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    ledger = Ledger.open(url, ledger_key=SigningKey(bytes(range(32))))
    try:
        initial = ledger.size()
        summary = run_simulation(
            SimulationConfig(participants=100, months=2, seed=9),
            ledger,
            tmp_path / "truth",
            progress=False,
        )
        ledger.checkpoint()
        size = ledger.size()
    finally:
        ledger.close()
    report = verify_database(url)
    assert report.tree_size == size
    assert size == initial + 2 * 100 + summary.events  # two registry entries each, then events
    assert report.participants == 100 + 1  # ours and the operator
    people = pd.read_parquet(tmp_path / "truth" / "participants.parquet")
    assert len(people) == 100


def test_the_simulate_command_writes_a_ledger_and_truth_beside_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            "--db",
            db,
            "-n",
            "100",
            "-m",
            "1",
            "--seed",
            "4",
            "--no-progress",
            "--key-file",
            str(tmp_path / "ledger.key"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert truth_path_for(db) == tmp_path / "cli.truth"
    assert (tmp_path / "cli.truth" / "monthly.parquet").exists()
    assert verify_database(db).participants == 100 + 1
    again = CliRunner().invoke(
        app,
        [
            "simulate",
            "--db",
            db,
            "-n",
            "100",
            "-m",
            "1",
            "--no-progress",
            "--key-file",
            str(tmp_path / "ledger.key"),
        ],
    )
    assert again.exit_code == 1
    assert "already registered" in again.output


def test_the_simulate_command_refuses_a_period_in_the_future(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["simulate", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--start", "2999-01-01"]
    )
    assert result.exit_code != 0
    assert not (tmp_path / "x.db").exists()


def test_the_simulate_command_replays_to_the_same_root(tmp_path: Path) -> None:
    roots = []
    for name in ("one", "two"):
        db = f"sqlite:///{tmp_path / name}.db"
        result = CliRunner().invoke(
            app, ["simulate", "--db", db, "-n", "100", "-m", "1", "--seed", "5", "--no-progress"]
        )
        assert result.exit_code == 0, result.output
        roots.append(verify_database(db).root_hash)
    assert roots[0] == roots[1]
