"""Simulation: events generated per second, peak memory against months, appending speed.

Each measurement runs in a fresh child process. Generation alone: the signed event stream
is consumed and discarded (no sink). Peak memory is traced with ``tracemalloc`` in a
separate run (tracing slows Python down, so it never times anything); at 100,000
participants tracing would take hours, so there the speed run's peak resident set stands
in. The target is memory flat in the number of months. Appending: the same stream into a
SQLite ledger in batches of 500 (registration timed apart). Prints figures only.

Run: ``.venv/bin/python -m bench.bench_simulation [--quick]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FULL = {
    "speed": [(1_000, 3), (1_000, 12), (100_000, 1), (100_000, 2)],
    "memory": [(1_000, 3), (1_000, 12), (1_000, 24), (10_000, 1), (10_000, 3)],
    "append": [(1_000, 1)],
}
QUICK = {
    "speed": [(1_000, 3), (10_000, 1)],
    "memory": [(1_000, 3), (1_000, 12), (10_000, 1), (10_000, 2)],
    "append": [(300, 1)],
}


def _config(participants: int, months: int) -> Any:
    from simulations.config import SimulationConfig

    return SimulationConfig(participants=participants, months=months, seed=1)


def child_speed(participants: int, months: int, sign: bool) -> dict[str, Any]:
    from simulations.engine import Simulation

    began = time.perf_counter()
    sim = Simulation(_config(participants, months), sign=sign)
    built = time.perf_counter() - began
    for _ in sim.events():
        pass
    seconds = time.perf_counter() - began - built
    return {"events": sim.emitter.total, "seconds": seconds, "setup_seconds": built,
            "rate": sim.emitter.total / seconds}  # fmt: skip


def child_memory(participants: int, months: int) -> dict[str, Any]:
    from simulations.engine import Simulation

    tracemalloc.start()
    sim = Simulation(_config(participants, months))
    after_setup = tracemalloc.get_traced_memory()[0]
    peak_by_month = []
    month = 0
    for _ in sim.events():
        if sim.months_started != month:
            month = sim.months_started
            peak_by_month.append(tracemalloc.get_traced_memory()[1])
    _, peak = tracemalloc.get_traced_memory()
    return {"events": sim.emitter.total, "setup_mb": after_setup / 2**20, "peak_mb": peak / 2**20,
            "peak_by_month_mb": [p / 2**20 for p in peak_by_month]}  # fmt: skip


def child_append(participants: int, months: int) -> dict[str, Any]:
    from ledger.core.keys import SigningKey
    from ledger.log import Ledger
    from simulations.engine import Simulation
    from simulations.runner import register_all

    folder = Path(tempfile.mkdtemp(prefix="bench-sim-"))
    ledger = Ledger.open(f"sqlite:///{folder / 'sim.db'}", ledger_key=SigningKey(bytes(32)))
    sim = Simulation(_config(participants, months))
    began = time.perf_counter()
    register_all(sim, ledger)
    registered = time.perf_counter() - began
    batch: list[Any] = []
    generate = append = 0.0
    mark = time.perf_counter()
    for event in sim.events():
        batch.append(event)
        if len(batch) == 500:
            now = time.perf_counter()
            generate += now - mark
            ledger.append_batch(batch)
            mark = time.perf_counter()
            append += mark - now
            batch = []
    if batch:
        now = time.perf_counter()
        generate += now - mark
        ledger.append_batch(batch)
        append += time.perf_counter() - now
    ledger.close()
    events = sim.emitter.total
    return {"participants_per_s": participants / registered, "events": events,
            "generate_rate": events / generate, "append_rate": events / append,
            "end_to_end_rate": events / (generate + append)}  # fmt: skip


def _run_child(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_simulation", "--child", *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a few minutes")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, participants, months = args.child[0], int(args.child[1]), int(args.child[2])
        if kind == "speed" or kind == "dry":
            result = child_speed(participants, months, sign=kind == "speed")
        elif kind == "memory":
            result = child_memory(participants, months)
        else:
            result = child_append(participants, months)
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0
    sizes = QUICK if args.quick else FULL
    print("generation alone (signed events, no sink)")
    print(f"{'participants':>12} {'months':>6} {'events':>10} {'events/s':>9} {'dry ev/s':>9}"
          f" {'setup s':>8} {'max RSS MB':>10}")  # fmt: skip
    for participants, months in sizes["speed"]:
        r = _run_child(["speed", str(participants), str(months)])
        d = _run_child(["dry", str(participants), str(months)])
        print(f"{participants:>12,} {months:>6} {r['events']:>10,} {r['rate']:>9,.0f} "
              f"{d['rate']:>9,.0f} {r['setup_seconds']:>8.1f} {r['maxrss_mb']:>10,.0f}",
              flush=True)  # fmt: skip
    print("\npeak traced memory (tracemalloc) against months")
    print(f"{'participants':>12} {'months':>6} {'events':>10} {'after setup MB':>14} "
          f"{'peak MB':>8}  peak at each month start")  # fmt: skip
    for participants, months in sizes["memory"]:
        r = _run_child(["memory", str(participants), str(months)])
        trail = " ".join(f"{p:.0f}" for p in r["peak_by_month_mb"])
        print(f"{participants:>12,} {months:>6} {r['events']:>10,} {r['setup_mb']:>14.1f} "
              f"{r['peak_mb']:>8.1f}  {trail}", flush=True)  # fmt: skip
    print("\nappending into a SQLite ledger (batches of 500)")
    for participants, months in sizes["append"]:
        r = _run_child(["append", str(participants), str(months)])
        print(f"{participants:,} participants, {months} month(s): {r['events']:,} events; "
              f"registration {r['participants_per_s']:,.0f} participants/s; generation "
              f"{r['generate_rate']:,.0f} ev/s; append {r['append_rate']:,.0f} ev/s; "
              f"end to end {r['end_to_end_rate']:,.0f} ev/s", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
