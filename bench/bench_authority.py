"""What trust costs an append: the authority check, and the claims and consent projections.

The same signed events (the demo scenario: orders, invoices, receipts, shipments, payments
and the counterparties' confirmations) are appended in batches of 500 into fresh databases,
alternating runs with everything on, with the authority check switched off, and with the
trust projections (claims, consents) left out — same process, same machine state. The
authority check is what a refusal rests on; the projections are what lets a reader tell a
confirmed claim from an unconfirmed one.

Target: the authority check costs append throughput under 10%.

Run: ``.venv/bin/python -m bench.bench_authority [--events 20000] [--rounds 3]
[--backend sqlite|postgresql]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench import pgdb
from bench.data import BATCH, bench_clock, ledger_key, progress, scenario_events
from finance_api import demo_scenario
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage import sequencer
from ledger.storage.projections import Projectors

TRUST = ("trust.claims", "trust.consents")


@contextmanager
def _database(backend: str, folder: Path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / name}.db"
        return
    with pgdb.scratch_database(name) as url:
        yield url


def _open(url: str, with_trust: bool) -> Ledger:
    projectors = [p for p in Projectors.installed() if with_trust or p.name not in TRUST]
    ledger = Ledger(
        _engines(url), ledger_key=ledger_key(), clock=bench_clock(), projectors=projectors
    )
    demo_scenario.register(ledger)
    return ledger


def _engines(url: str):  # type: ignore[no-untyped-def]
    from ledger.storage.db import make_engines, migrate

    engines = make_engines(url)
    migrate(engines)
    return engines


def _append(url: str, events: Sequence[Event], *, authority: bool, trust: bool) -> float:
    original = sequencer.authorise
    if not authority:
        sequencer.authorise = lambda *_: None  # type: ignore[assignment]
    try:
        ledger = _open(url, trust)
        start = time.perf_counter()
        for i in range(0, len(events), BATCH):
            ledger.append_batch(events[i : i + BATCH])
        seconds = time.perf_counter() - start
        ledger.close()
    finally:
        sequencer.authorise = original
    return len(events) / seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    if args.backend == "postgresql" and not pgdb.available():
        raise SystemExit("PostgreSQL is not reachable")
    events = list(scenario_events(args.events))
    progress(f"{len(events)} signed events, batches of {BATCH}, {args.rounds} rounds")
    modes: dict[str, Callable[[str], float]] = {
        "everything on": lambda url: _append(url, events, authority=True, trust=True),
        "no authority check": lambda url: _append(url, events, authority=False, trust=True),
        "no trust projections": lambda url: _append(url, events, authority=True, trust=False),
    }
    rates: dict[str, list[float]] = {name: [] for name in modes}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(args.rounds):
            for name, run in modes.items():
                with _database(args.backend, Path(tmp), f"auth-{round_}-{len(rates[name])}"
                               f"-{name.replace(' ', '-')}") as url:  # fmt: skip
                    rates[name].append(run(url))
    best = {name: statistics.median(values) for name, values in rates.items()}
    print(f"batched appends on {args.backend}, events/s (median of {args.rounds}):")
    for name, rate in best.items():
        print(f"  {name:22s} {rate:9,.0f}")
    cost = 1 - best["everything on"] / best["no authority check"]
    projections = 1 - best["everything on"] / best["no trust projections"]
    print(f"  authority check costs {cost:.1%} of append throughput (target < 10%)")
    print(f"  claims and consent projections cost {projections:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
