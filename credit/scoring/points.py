"""As-of points for training and out-of-time testing: tree sizes at dates of the ledger.

An as-of point is a tree size; its time is the recording time of its last entry. Points
are spaced ``step_days`` apart from ``warmup_days`` after the first entry, the last one a
full performance window before the newest entry, so every label window is complete. A
ledger too short for that gets a window shortened to what it holds (said in the plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from credit.errors import InvalidInput
from credit.features.labels import WINDOW_DAYS
from ledger.log import Ledger
from ledger.storage.models import Entry

MIN_WINDOW_DAYS = 60


@dataclass(frozen=True, slots=True)
class Plan:
    sizes: tuple[int, ...]  # as-of tree sizes, oldest first
    times: tuple[datetime, ...]
    window_days: int
    shortened: bool  # the ledger is shorter than warm-up + points + a full window


def plan(
    ledger: Ledger,
    *,
    points: int = 4,
    step_days: int = 60,
    warmup_days: int = 90,
    window_days: int = WINDOW_DAYS,
) -> Plan:
    """``points`` as-of points (at least two: the last one is kept for out-of-time tests)."""
    if points < 2:
        raise InvalidInput("need at least two as-of points", field="points")
    with ledger.reading() as connection:
        first, last = connection.execute(
            select(func.min(Entry.recorded_at), func.max(Entry.recorded_at))
        ).one()
        if first is None:
            raise InvalidInput("the ledger is empty", field="db")
        span = (last - first).days
        needed = warmup_days + (points - 1) * step_days + window_days
        window, step, warmup, shortened = window_days, step_days, warmup_days, False
        if span < needed:  # shrink everything in proportion, the window no shorter than 60
            shortened = True
            ratio = span / needed
            window = max(MIN_WINDOW_DAYS, int(window_days * ratio))
            step = max(1, int(step_days * ratio))
            warmup = max(1, span - window - (points - 1) * step)
            if warmup + (points - 1) * step + window > span:
                raise InvalidInput(
                    f"the ledger spans {span} days: too short for {points} as-of points "
                    f"and a {MIN_WINDOW_DAYS}-day performance window",
                    field="db",
                )
        times = tuple(first + timedelta(days=warmup + i * step) for i in range(points))
        sizes = tuple(_size_at(connection, t) for t in times)
    return Plan(sizes, times, window, shortened)


def _size_at(connection: object, moment: datetime) -> int:
    """The tree size of the last entry recorded before ``moment``."""
    seq = connection.execute(  # type: ignore[attr-defined]
        select(func.max(Entry.seq)).where(Entry.recorded_at < moment)
    ).scalar_one()
    return int(seq) + 1
