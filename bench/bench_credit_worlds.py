"""Simulated worlds for the credit benchmarks, kept in memory as the ledger would hold them.

A world is the canonical bytes of every signed event in append order, with the clock at
each append and the roles each participant was registered with: what the feature pass
reads from a ledger's ``entries`` table, without the database. Tables and labels come
from the same pure folds as ``credit.features.compute`` and ``read_labels``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd

from credit.features.fold import TYPES, Fold
from credit.features.labels import LabelFold
from credit.features.scan import AsOf, FeatureTable, table_from
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keybook import Registration
from simulations.config import SimulationConfig
from simulations.runner import run_simulation, simulation_clock
from simulations.scenarios import scenario_config


def event_type(canonical: bytes) -> str:
    """The type of a canonical body without parsing it: RFC 8785 sorts keys, type is last."""
    return canonical.rsplit(b'"type":"', 1)[1][:-2].decode()


@dataclass
class CanonicalSink:
    clock: FixedClock
    roles: dict[str, str] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)

    def register_participant(self, participant_id: str, legal_name: str, roles: list[str],
                             country: str | None, public_key: bytes,
                             valid_from: datetime) -> None:  # fmt: skip
        self.roles[participant_id] = "seller" if "seller" in roles else roles[0]

    def register_participants(self, registrations: Sequence[Registration]) -> None:
        for reg in registrations:
            self.roles[reg.participant_id] = "seller" if "seller" in reg.roles else reg.roles[0]

    def append_batch(self, events: Sequence[Event]) -> list[int]:
        now = self.clock.now()
        for event in events:
            self.bodies.append(event.canonical)
            self.types.append(event.type)
            self.times.append(now)
        return []


@dataclass
class World:
    config: SimulationConfig
    sink: CanonicalSink
    truth: Path

    def size_at(self, moment: datetime) -> int:
        return max(1, bisect_left(self.sink.times, moment))

    def table(self, size: int) -> FeatureTable:
        sink = self.sink
        last = max((i for i in range(size - 1, -1, -1) if sink.types[i] in TYPES), default=size - 1)
        fold = Fold(sink.times[last])
        for pid, role in sink.roles.items():
            fold.party(pid).role = role
        for i in range(size):
            fold.feed(sink.types[i], sink.bodies[i])
        return table_from(fold, AsOf(size, "", sink.times[last]))

    def labels(self, table: FeatureTable, window_days: int) -> dict[str, date]:
        fold = LabelFold(table, window_days)
        for i in range(table.as_of.tree_size, len(self.sink.bodies)):
            if self.sink.types[i] in LabelFold.types:
                fold.add(orjson.loads(self.sink.bodies[i]))
        return fold.bad

    def oracle(self, table: FeatureTable, ids: Sequence[str]) -> pd.DataFrame:
        """Hidden state of the last month completed before the as-of point (the ceiling)."""
        monthly = pd.read_parquet(self.truth / "monthly.parquet")
        month = (table.as_of.at.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        state = monthly[monthly.month == month].set_index("participant_id")
        people = pd.read_parquet(self.truth / "participants.parquet").set_index("participant_id")
        cols = ["latent_credit", "latent_quality", "latent_logistics", "cash_minor",
                "debt_minor", "max_dpd", "distressed"]  # fmt: skip
        frame = state.reindex(list(ids))[cols].astype("float64")
        frame["fraud"] = people.reindex(list(ids))["fraud"].astype("float64").to_numpy()
        return frame.reset_index(drop=True)


def simulate(participants: int, months: int, seed: int, scenario: str, folder: Path) -> World:
    config = scenario_config(SimulationConfig(participants=participants, months=months,
                                              seed=seed), scenario)  # fmt: skip
    clock = simulation_clock(config)
    sink = CanonicalSink(clock)
    truth = folder / f"{scenario}-{seed}.truth"
    run_simulation(config, sink, truth, progress=False, clock=clock)  # type: ignore[arg-type]
    return World(config, sink, truth)


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean and a 95 % Student-t interval over worlds (seeds)."""
    x = np.asarray([v for v in values if not math.isnan(v)], dtype=np.float64)
    if x.size < 2:
        return (float(x.mean()) if x.size else math.nan, math.nan, math.nan)
    from scipy import stats

    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return float(x.mean()), float(x.mean()) - half, float(x.mean()) + half


Labelled = tuple[pd.DataFrame, npt.NDArray[np.int64], FeatureTable]
