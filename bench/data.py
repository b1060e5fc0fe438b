"""Bench data: the demo scenario's signed events, and large ledgers built once and cached.

Events come from :mod:`finance_api.demo_scenario` (about eight signed events per order,
every one signed by its own actor). Its timeline runs 21 hours per order, so a million
entries reach the 24th century: every bench ledger runs on a fixed clock far enough ahead
that no event lies in the future. Large ledgers are built with batched appends through
:class:`~ledger.log.Ledger` (the events are signed in a second process meanwhile) and
kept under ``bench/out/`` (git-ignored), one SQLite file per size plus its bundle.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from pathlib import Path

from finance_api import demo_scenario
from ledger.core.clock import FixedClock
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

OUT = Path(__file__).resolve().parent / "out"
BATCH = 500
REGISTRY_ENTRIES = 2 + 2 * len(demo_scenario.PARTICIPANTS)  # operator + six participants
CACHE_VERSION = "1"


def bench_clock() -> FixedClock:
    """A clock later than every scenario event, even a million entries in."""
    return FixedClock(datetime(2400, 1, 1, tzinfo=UTC))


def ledger_key() -> SigningKey:
    return SigningKey(hashlib.sha256(b"threeflow bench ledger key").digest())


def scenario_events(count: int) -> Iterator[Event]:
    """The first ``count`` events of the demo scenario (the same ones on every run)."""
    return itertools.islice(demo_scenario.events(orders=count // 7 + 2), count)


def open_bench_ledger(url: str, *, threads: int = 2) -> Ledger:
    """Open (and on first use initialise and register the scenario's participants)."""
    ledger = Ledger.open(
        url, ledger_key=ledger_key(), clock=bench_clock(), signature_threads=threads
    )
    if ledger.size() < REGISTRY_ENTRIES:
        demo_scenario.register(ledger)
    return ledger


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- large cached ledgers -------------------------------------------------------------------
def ledger_path(size: int) -> Path:
    return OUT / f"ledger-{size}.db"


def bundle_path(size: int) -> Path:
    return OUT / f"ledger-{size}.jsonl"


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".ok")


def _is_cached(path: Path) -> bool:
    marker = _marker(path)
    return path.exists() and marker.exists() and marker.read_text() == CACHE_VERSION


def _produce(count: int, queue: Queue[list[Event] | None]) -> None:
    """Child process: sign the scenario's events and hand them over in batches."""
    events = scenario_events(count)
    while batch := list(itertools.islice(events, BATCH)):
        queue.put(batch)
    queue.put(None)


def _snapshot(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()
    _marker(target).write_text(CACHE_VERSION)


def ensure_ledgers(sizes: Sequence[int]) -> dict[int, Path]:
    """SQLite ledgers of exactly these sizes (entries), built once and cached."""
    wanted = sorted(set(sizes))
    paths = {size: ledger_path(size) for size in wanted}
    missing = [size for size in wanted if not _is_cached(paths[size])]
    if not missing:
        return paths
    OUT.mkdir(parents=True, exist_ok=True)
    largest = max(missing)
    work = OUT / f"building-{largest}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    progress(f"building a {largest:,}-entry bench ledger in {work} (cached afterwards)")
    context = multiprocessing.get_context("fork")
    queue: Queue[list[Event] | None] = context.Queue(maxsize=16)
    producer = context.Process(target=_produce, args=(largest, queue), daemon=True)
    producer.start()
    started = time.perf_counter()
    ledger = open_bench_ledger(f"sqlite:///{work}")
    try:
        size = ledger.size()
        pending: list[Event] = []
        stops = [s for s in missing if s > size]
        while stops:
            if not pending:
                batch = queue.get()
                if batch is None:
                    raise RuntimeError("the scenario ran out of events")
                pending = batch
            take = min(len(pending), stops[0] - size, BATCH)
            ledger.append_batch(pending[:take])
            pending = pending[take:]
            size += take
            if size % 50_000 < take or size == stops[0]:
                rate = (size - REGISTRY_ENTRIES) / (time.perf_counter() - started)
                progress(f"  {size:>9,} / {largest:,} entries ({rate:,.0f} per second)")
            if size == stops[0]:
                ledger.checkpoint()
                _snapshot(work, paths[stops.pop(0)])
    finally:
        ledger.close()
        producer.kill()
        producer.join()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    return paths


def ensure_bundles(sizes: Sequence[int]) -> dict[int, Path]:
    """Bundles exported from the cached ledgers (built and cached too)."""
    from ledger.audit.export import export_bundle

    ledgers = ensure_ledgers(sizes)
    paths = {}
    for size, db in ledgers.items():
        path = bundle_path(size)
        if not _is_cached(path):
            progress(f"exporting the {size:,}-entry bench ledger to {path}")
            export_bundle(f"sqlite:///{db}", path)
            _marker(path).write_text(CACHE_VERSION)
        paths[size] = path
    return paths
