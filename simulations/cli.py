"""Command line: ``simulate`` into a ledger, ``compare`` scenarios, print ``sanity`` figures.

Mounted on the main ``threeflow`` command; ``ledger.log`` is imported inside
``simulate`` only, so the other commands need no database.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from simulations.config import SimulationConfig
from simulations.errors import SimulationError
from simulations.scenarios import SCENARIOS, scenario_config

app = typer.Typer(help="Simulate a cross-border e-commerce ecosystem.", no_args_is_help=True)
console = Console()

Participants = Annotated[int, typer.Option("--participants", "-n", help="100 to 100,000")]
Months = Annotated[int, typer.Option("--months", "-m", help="months to simulate")]
Seed = Annotated[int, typer.Option("--seed", "-s", help="same seed, same events")]
Start = Annotated[str, typer.Option(help="first simulated month, YYYY-MM-01, in the past")]


def _config(participants: int, months: int, seed: int, start: str) -> SimulationConfig:
    try:
        return SimulationConfig(
            participants=participants, months=months, seed=seed, start=date.fromisoformat(start)
        )
    except (SimulationError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc


def truth_path_for(db: str) -> Path:
    """Ground truth goes beside a SQLite file (``x.db`` -> ``x.truth/``), else in ./."""
    if db.startswith("sqlite:///") and len(db) > len("sqlite:///"):
        path = Path(db[len("sqlite:///") :])
        return path.with_name(path.stem + ".truth")
    return Path("simulation.truth")


@app.command()
def simulate(
    db: Annotated[str, typer.Option(help="ledger database URL, e.g. sqlite:///var/sim.db")],
    participants: Participants = 1000,
    months: Months = 12,
    seed: Seed = 1,
    scenario: Annotated[str, typer.Option(help=", ".join(SCENARIOS))] = "baseline",
    start: Start = "2024-01-01",
    truth: Annotated[Path | None, typer.Option(help="ground-truth folder")] = None,
    key_file: Annotated[
        Path | None, typer.Option(help="the ledger's key file (default: a key from the seed)")
    ] = None,
    ledger_key_seed: Annotated[
        int | None, typer.Option(help="derive the ledger key from this number (replayable)")
    ] = None,
    batch: Annotated[int, typer.Option(help="events per append")] = 500,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
    pipeline: Annotated[
        bool, typer.Option(help="append in a second process while generating (same bytes)")
    ] = False,
) -> None:
    """Simulate into the ledger at DB; the ground truth goes beside it, never into it.

    The ledger's clock follows simulated time, and without --key-file its key is derived
    from --ledger-key-seed (default: the simulation seed), so the same command writes the
    same ledger byte for byte. Such a key is only as secret as the seed: research data only.
    """
    from ledger.core.errors import LedgerError  # lazily: the ledger needs a database

    try:
        config = scenario_config(_config(participants, months, seed, start), scenario)
    except SimulationError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if datetime.combine(config.end(), datetime.min.time(), tzinfo=UTC) > datetime.now(UTC):
        raise typer.BadParameter(
            f"the simulated period ends {config.end()}, in the future; start earlier"
        )
    from simulations.runner import ledger_key_for, simulation_clock

    clock = simulation_clock(config)
    key = None if key_file is not None else ledger_key_for(
        seed if ledger_key_seed is None else ledger_key_seed)  # fmt: skip
    try:
        if pipeline:
            summary = _pipelined(config, db, key, key_file, truth, progress, batch)
        else:
            summary = _in_process(config, db, key, key_file, truth, progress, batch, clock)
    except LedgerError as exc:
        console.print(f"[red]the ledger refused:[/] {exc} (field {exc.field}); "
                      "simulate into a fresh database")  # fmt: skip
        raise typer.Exit(1) from None
    console.print(
        f"{summary.events:,} events from {summary.participants:,} participants over "
        f"{summary.months} months in {summary.seconds:,.1f} s "
        f"({summary.events / max(summary.seconds, 1e-9):,.0f} events/s); "
        f"ground truth in {summary.ground_truth}"
    )
    console.print(summary.frame()[["orders", "gmv_minor", "defaults", "losses_minor"]])


def _in_process(config: Any, db: str, key: Any, key_file: Path | None, truth: Path | None,
                progress: bool, batch: int, clock: Any) -> Any:  # fmt: skip
    from ledger.log import CheckpointPolicy, Ledger
    from simulations.runner import run_simulation

    # Checkpoints every 1,000 entries or every simulated day, not every simulated minute.
    policy = CheckpointPolicy(every_entries=1000, every_seconds=86_400.0)
    ledger = Ledger.open(db, key_file=key_file, ledger_key=key, clock=clock, policy=policy)
    try:
        summary = run_simulation(
            config, ledger, truth or truth_path_for(db), progress=progress, batch_size=batch,
            clock=clock,
        )  # fmt: skip
        ledger.checkpoint()
        return summary
    finally:
        ledger.close()


def _pipelined(config: Any, db: str, key: Any, key_file: Path | None, truth: Path | None,
               progress: bool, batch: int) -> Any:  # fmt: skip
    """The same run with appending in a worker process (:mod:`simulations.pipeline`)."""
    from simulations.pipeline import LedgerSpec, PipelinedSink
    from simulations.runner import run_simulation, start_time

    began = time.perf_counter()
    spec = LedgerSpec(db, start_time(config), None if key is None else key.seed, key_file,
                      agent_seed=config.seed)  # fmt: skip
    with PipelinedSink(spec) as sink:
        summary = run_simulation(config, sink, truth or truth_path_for(db), progress=progress,
                                 batch_size=batch)  # fmt: skip
        sink.close()  # the last batches and the final checkpoint, before the summary's time
    return dataclasses.replace(summary, seconds=time.perf_counter() - began)


@app.command()
def compare(
    out: Annotated[Path, typer.Option(help="folder for tables and plots")] = Path("scenarios"),
    participants: Participants = 2000,
    months: Months = 24,
    seed: Seed = 1,
    start: Start = "2024-01-01",
) -> None:
    """Run every scenario (dry, no ledger) and write summary tables and PNG plots."""
    from simulations.scenarios import compare as run_compare

    config = _config(participants, months, seed, start)
    summary = run_compare(config, out)
    table = Table("figure", *summary.index)
    for column in summary.columns:
        table.add_row(column, *(f"{v:,.4g}" for v in summary[column]))
    console.print(table)
    console.print(f"tables and plots in {out}/")


@app.command()
def sanity(
    participants: Participants = 2000,
    months: Months = 24,
    seed: Seed = 1,
    start: Start = "2024-01-01",
) -> None:
    """Print the simulated world's figures beside the public figures they should resemble."""
    from simulations.sanity import figures

    config = _config(participants, months, seed, start)
    table = Table("figure", "simulated", "reference", "source", show_lines=True)
    for figure in figures(dataclasses.replace(config)):
        value = f"{figure.simulated:,.3f}" if figure.unit == "share" else f"{figure.simulated:,.1f}"
        mark = {True: " [green]ok[/]", False: " [red]outside[/]", None: ""}[figure.within]
        reference = "" if figure.low is None else f"{figure.low:,.3g} to {figure.high:,.3g}"
        table.add_row(figure.name, f"{value} {figure.unit}", reference + mark, figure.source)
    console.print(table)


if __name__ == "__main__":
    app()
