"""The stream is lazy and bounded: no month is built before its events are consumed.

Structural checks, not timings: what the engine has done when an event is handed out,
how many events come out per participant step, and whether held state grows with months.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from simulations.config import SimulationConfig
from simulations.engine import Simulation
from simulations.markets import MarketRow
from simulations.outcomes import LoanOutcome
from simulations.truth import Columns


def test_first_event_comes_before_any_later_month_is_simulated() -> None:
    sim = Simulation(SimulationConfig(participants=300, months=24, seed=2))
    events = sim.events()
    first = next(events)
    assert sim.months_started == 1
    assert sim.steps_done <= 1
    assert first.occurred_at < datetime(2024, 2, 1, tzinfo=UTC)


def test_events_are_handed_out_in_the_month_being_simulated_a_participant_at_a_time() -> None:
    sim = Simulation(SimulationConfig(participants=120, months=3, seed=4))
    largest_chunk, chunk, step = 0, 0, -1
    for event in sim.events():
        world = sim.world
        assert world.month_begin <= event.occurred_at < world.month_end
        if sim.steps_done != step:
            step, chunk = sim.steps_done, 0
        chunk += 1
        largest_chunk = max(largest_chunk, chunk)
    assert sim.months_started == 3
    assert 0 < largest_chunk < 1000  # one participant's month, never a whole month


class _Sizes:
    """A ground-truth recorder that notes how much state the engine holds each month."""

    def __init__(self) -> None:
        self.sim: Simulation | None = None
        self.sizes: list[int] = []

    def month(self, rows: Columns) -> None:
        assert self.sim is not None
        self.sizes.append(self.sim.state_size() + len(self.sim.world.closed_facilities))

    def loans(self, rows: Sequence[LoanOutcome]) -> None:
        pass

    def finish(
        self, participants: Columns, markets: Sequence[MarketRow], open_loans: Sequence[LoanOutcome]
    ) -> None:
        pass


def test_state_held_does_not_grow_with_the_number_of_months() -> None:
    recorder = _Sizes()
    sim = Simulation(
        SimulationConfig(participants=200, months=24, seed=6), sign=False, truth=recorder
    )
    recorder.sim = sim
    sim.run()
    early = max(recorder.sizes[3:10])
    late = max(recorder.sizes[16:24])
    assert late <= 1.5 * early
