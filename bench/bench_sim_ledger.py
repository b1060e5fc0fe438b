"""A signed simulation appended into SQLite and PostgreSQL, against generation alone.

One process, three passes over the same seed (so the same events): generation alone (the
signed stream consumed and discarded), then the stream appended into a fresh SQLite ledger,
then into a fresh PostgreSQL database (created and dropped here). Each pass prints events,
seconds and events per second, the ratio of appending to generating, and the resident set
at the start of months 1, 6, 12, 24 and 36 (the target: flat in months). The ledger is
driven the way ``threeflow simulate`` drives it: the simulation's clock, a key from the
seed, batches of 500, a checkpoint every 1,000 entries or simulated day.

Run: ``nice .venv/bin/python -m bench.bench_sim_ledger -n 10000 -m 36 [--skip-postgres]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

TRAIL = (1, 6, 12, 24, 36, 48, 60)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pass(
    participants: int,
    months: int,
    seed: int,
    url: str | None,
    say: Callable[[str], None],
    pipelined: bool = False,
) -> dict[str, float]:
    from ledger.log import CheckpointPolicy, Ledger
    from simulations.config import SimulationConfig
    from simulations.engine import Simulation
    from simulations.pipeline import LedgerSpec, PipelinedSink
    from simulations.runner import (
        follow,
        ledger_key_for,
        register_all,
        simulation_clock,
        start_time,
    )

    config = SimulationConfig(participants=participants, months=months, seed=seed)
    sim = Simulation(config)
    clock = simulation_clock(config)
    ledger: Any = None
    began, cpu_began = time.perf_counter(), time.process_time()
    if url is not None and pipelined:  # as `threeflow simulate --pipeline`: a worker appends
        spec = LedgerSpec(url, start_time(config), ledger_key_for(seed).seed, agent_seed=seed)
        ledger = PipelinedSink(spec)
        register_all(sim, ledger)
    elif url is not None:
        policy = CheckpointPolicy(every_entries=1000, every_seconds=86_400.0)
        ledger = Ledger.open(url, ledger_key=ledger_key_for(seed), clock=clock, policy=policy)
        register_all(sim, ledger)
    registered = time.perf_counter() - began
    trail: dict[int, float] = {}
    batch: list[object] = []
    for event in sim.events():
        if sim.months_started in TRAIL and sim.months_started not in trail:
            trail[sim.months_started] = rss_mb()
        if ledger is None:
            continue
        batch.append(event)
        if len(batch) == 500:
            follow(clock, batch)  # type: ignore[arg-type]
            ledger.append_batch(batch)
            batch = []
    if ledger is not None:
        if batch:
            follow(clock, batch)  # type: ignore[arg-type]
            ledger.append_batch(batch)
        if not pipelined:
            ledger.checkpoint()  # the worker cuts its own on close
        ledger.close()
    seconds = time.perf_counter() - began
    events = sim.emitter.total
    here = (time.process_time() - cpu_began) / events * 1e6
    worker = getattr(ledger, "worker_cpu", None)
    cpu = f"CPU {here:,.0f} µs an event here" + (
        "" if worker is None else f", {worker / events * 1e6:,.0f} µs in the worker"
    )
    say(
        f"  events {sim.emitter.total:,} in {seconds:,.0f} s = "
        f"{sim.emitter.total / seconds:,.0f} events/s (registering {registered:,.1f} s); "
        "RSS MB at month " + ", ".join(f"{m}: {mb:,.0f}" for m, mb in sorted(trail.items()))
    )
    say(f"  {cpu}; load average {os.getloadavg()[0]:.2f}")
    return {"events": events, "seconds": seconds}


def _fresh_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-sim-ledger-"))


def _postgres() -> AbstractContextManager[str | None]:
    from bench import pgdb

    if not pgdb.available():
        return nullcontext(None)
    return pgdb.scratch_database("sim")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--participants", type=int, default=2000)
    parser.add_argument("-m", "--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--pipeline", action="store_true", help="also append from a worker process")
    args = parser.parse_args(argv)

    def say(text: str) -> None:
        print(text, flush=True)

    n, m, seed = args.participants, args.months, args.seed
    say(f"{n:,} participants x {m} months, seed {seed}, signed")
    say("generation alone (signed, discarded)")
    alone = _pass(n, m, seed, None, say)
    rate = alone["events"] / alone["seconds"]
    targets: list[tuple[str, Callable[[], AbstractContextManager[str | None]]]] = []
    if not args.skip_sqlite:
        targets.append(("SQLite", lambda: nullcontext(f"sqlite:///{_fresh_folder() / 'sim.db'}")))
    if not args.skip_postgres:
        targets.append(("PostgreSQL", _postgres))
    for name, opener in targets:
        with opener() as url:
            if url is None:
                say(f"{name}: no server; skipped")
                continue
            say(f"appended into {name}")
            done = _pass(n, m, seed, url, say)
            ratio = (done["events"] / done["seconds"]) / rate
            say(f"  end to end at {ratio:.2f} of the generation-alone rate")
    if args.pipeline:
        for name, opener in targets:
            with opener() as url:
                if url is None:
                    continue
                say(f"appended into {name} by a worker process (pipelined)")
                done = _pass(n, m, seed, url, say, pipelined=True)
                ratio = (done["events"] / done["seconds"]) / rate
                say(f"  end to end at {ratio:.2f} of the generation-alone rate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
