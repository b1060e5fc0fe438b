"""Running a simulation into a ledger: register everyone, stream events in batches.

The only I/O of a run: the sink (the ledger, or a fake) and the ground-truth directory.
Memory stays bounded: one batch of events at a time, whatever the number of months.

Replayable: give the ledger a clock that follows simulated time (:func:`simulation_clock`,
passed to ``Ledger.open(url, clock=...)`` and to :func:`run_simulation`) and a key derived
from the seed (:func:`ledger_key_for`), and the same seed writes the same ledger byte for
byte. The runner moves the clock to the newest event of each batch before appending it:
never backwards, never behind an event it appends.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keybook import Registration
from ledger.core.keys import SigningKey
from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.sink import LedgerSink
from simulations.truth import ParquetTruth

DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """What a run produced: counts, per-month figures, where the ground truth went."""

    seed: int
    participants: int
    months: int
    warehouse_financing: bool
    shocks: bool
    roles: Mapping[str, int]
    events: int
    events_by_flow: Mapping[str, int]
    events_by_type: Mapping[str, int]
    monthly: tuple[Mapping[str, Any], ...]
    ground_truth: str | None
    seconds: float

    def frame(self) -> Any:
        """The per-month figures as a pandas DataFrame indexed by month."""
        import pandas as pd

        return pd.DataFrame(list(self.monthly)).set_index("month")


def summarise(sim: Simulation, truth: str | None, seconds: float) -> SimulationSummary:
    cfg = sim.config
    roles: dict[str, int] = {}
    for agent in sim.population.everyone():
        roles[agent.identity.role] = roles.get(agent.identity.role, 0) + 1
    return SimulationSummary(
        seed=cfg.seed,
        participants=cfg.participants,
        months=cfg.months,
        warehouse_financing=cfg.warehouse_financing,
        shocks=cfg.shocks,
        roles=roles,
        events=sim.emitter.total,
        events_by_flow=dict(sim.emitter.by_flow),
        events_by_type=dict(sorted(sim.emitter.by_type.items())),
        monthly=tuple(m.as_dict() for m in sim.metrics),
        ground_truth=truth,
        seconds=seconds,
    )


REGISTER_CHUNK = 1000


def start_time(config: SimulationConfig) -> datetime:
    return datetime.combine(config.start, datetime.min.time(), tzinfo=UTC)


def simulation_clock(config: SimulationConfig) -> FixedClock:
    """A clock at the first simulated instant, for the ledger the run writes into."""
    return FixedClock(start_time(config))


def ledger_key_for(seed: int) -> SigningKey:
    """A ledger key derived from the seed: a replayable research ledger, never production."""
    return SigningKey(hashlib.sha256(f"threeflow-sim/v1/{seed}/ledger-key".encode()).digest())


def follow(clock: FixedClock | None, batch: Sequence[Event]) -> None:
    """Move ``clock`` forward to the newest event of ``batch`` (never backwards)."""
    if clock is None or not batch:
        return
    newest = max(event.occurred_at for event in batch)
    if newest > clock.now():
        clock.set(newest)


def register_all(
    sim: Simulation, sink: LedgerSink, on_progress: Callable[[int], None] | None = None
) -> None:
    """Register every participant and its key, valid from the start of the simulation."""
    valid_from = start_time(sim.config)
    registrations = (
        Registration(
            identity.participant_id,
            identity.legal_name,
            (identity.role,),  # the role the event types' authority rules ask of it
            identity.country,
            public_key,
            valid_from,
        )
        for identity, public_key in sim.identities()
    )
    done = 0
    while chunk := list(islice(registrations, REGISTER_CHUNK)):
        sink.register_participants(chunk)  # one transaction per chunk, not per participant
        done += len(chunk)
        if on_progress is not None:
            on_progress(done)


def run_simulation(
    config: SimulationConfig,
    sink: LedgerSink,
    ground_truth_path: Path | str,
    progress: bool = True,
    *,
    batch_size: int = DEFAULT_BATCH,
    clock: FixedClock | None = None,
) -> SimulationSummary:
    """Simulate ``config`` into ``sink``; write the ground truth under ``ground_truth_path``.

    ``clock`` is the sink's clock (the one the ledger was opened with); the runner keeps it
    at simulated time. Without it the sink keeps its own time (a wall clock is fine: every
    simulated event lies in its past), but the ledger's bytes then differ run to run.
    """
    began = time.perf_counter()
    truth = ParquetTruth(ground_truth_path)
    sim = Simulation(config, sign=True, truth=truth)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[events]:,} events"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not progress,
    )
    with bar, contextlib.closing(truth):
        people = len(sim.population.everyone())
        task = bar.add_task("registering", total=people, events=0)
        register_all(sim, sink, lambda done: bar.update(task, completed=done))
        bar.update(task, completed=people)
        task = bar.add_task("simulating", total=sim.total_steps, events=0)
        batch: list[Event] = []
        sent = 0
        for event in sim.events():
            batch.append(event)
            if len(batch) >= batch_size:
                follow(clock, batch)
                sink.append_batch(batch)
                sent += len(batch)
                batch = []
                bar.update(task, completed=sim.steps_done, events=sent)
        if batch:
            follow(clock, batch)
            sink.append_batch(batch)
            sent += len(batch)
        bar.update(task, completed=sim.total_steps, events=sent)
    return summarise(sim, str(ground_truth_path), time.perf_counter() - began)
