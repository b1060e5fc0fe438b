"""Append throughput against the floor of what an append cannot avoid.

For the same signed events, on SQLite and PostgreSQL, this times:

* ``Ledger.append`` one event at a time, and ``Ledger.append_batch`` in batches of 500;
* right after each (so both figures share the machine's load), alone, on one core:
  Ed25519 verification of each signature, the SHA-256 work (leaf hash, chain hash and
  the Merkle nodes each leaf completes), and a raw SQLAlchemy Core insert
  of exactly the rows the ledger wrote (``entries``, ``entry_refs``, ``merkle_nodes``) into
  a fresh database of the same kind, one transaction per batch of 500 (or per event, for
  the single-append floor).

The bound is ``1 / (sig + hash + insert)`` events per second; the ratio printed is the
append rate divided by that bound. Targets: batched appends at >= 60 % of it, and (issue
16) at >= 8,000 events/s on SQLite and >= 5,000 on PostgreSQL. The appending process's CPU
and the PostgreSQL backends' CPU per event are printed beside the wall-clock figures.

Run: ``.venv/bin/python -m bench.bench_append [--quick] [--backend sqlite|postgresql]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, insert, select

from bench import pgdb
from bench.data import BATCH, OUT, REGISTRY_ENTRIES, open_bench_ledger, progress, scenario_events
from finance_api import demo_scenario
from ledger.core.events import Event
from ledger.core.keys import verify_signature
from ledger.storage import models
from ledger.storage.db import make_engines, migrate
from ledger.storage.rows import RowInserts

TARGET = 0.60
RATE_TARGETS = {"sqlite": 8_000, "postgresql": 5_000}  # batched signed events/s (issue 16)


@dataclass(frozen=True, slots=True)
class Floor:
    sig_us: float
    sig_2threads_us: float
    hash_us: float
    wire_us: float


def _per_event_us(seconds: float, events: int) -> float:
    return seconds / events * 1e6


def measure_floor(events: Sequence[Event]) -> Floor:
    """Signature and hashing costs per event, measured alone on the same events."""
    keys = {
        demo_scenario.key_for(pid).key_id: demo_scenario.key_for(pid).public_key
        for pid in demo_scenario.PARTICIPANTS
    }
    jobs = [(keys[e.key_id], e.canonical, e.signature) for e in events]
    start = time.perf_counter()
    for public_key, message, signature in jobs:
        verify_signature(public_key, message, signature)
    sig = time.perf_counter() - start

    def half(part: Sequence[tuple[bytes, bytes, bytes]]) -> None:
        for public_key, message, signature in part:
            verify_signature(public_key, message, signature)

    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        list(pool.map(half, [jobs[0::2], jobs[1::2]]))
        sig2 = time.perf_counter() - start

    sha256 = hashlib.sha256
    start = time.perf_counter()
    tip = bytes(32)
    edge: list[bytes] = []
    for index, event in enumerate(events):
        leaf = sha256(b"\x00" + event.canonical + event.signature).digest()
        tip = sha256(tip + leaf).digest()
        acc = leaf
        while index & 1:
            acc = sha256(b"\x01" + edge.pop() + acc).digest()
            index >>= 1
        edge.append(acc)
    hashing = time.perf_counter() - start

    wire = [e.to_json() for e in events]
    start = time.perf_counter()
    for obj in wire:
        Event.from_json(obj)
    parse = time.perf_counter() - start
    n = len(events)
    return Floor(
        _per_event_us(sig, n),
        _per_event_us(sig2, n),
        _per_event_us(hashing, n),
        _per_event_us(parse, n),
    )


@contextmanager
def database(backend: str, purpose: str) -> Iterator[str]:
    if backend == "postgresql":
        with pgdb.scratch_database(purpose) as url:
            yield url
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scratch-{purpose}.db"
    _remove_sqlite(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        _remove_sqlite(path)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class Timed:
    """An append run: wall seconds, and the CPU seconds the client and the server spent."""

    seconds: float
    client_cpu: float
    server_cpu: float


def server_cpu(engine: Engine) -> float:
    """CPU seconds used so far by the PostgreSQL backends connected to this database (0 on
    SQLite). The server runs on this machine: on its two shared cores, CPU time says what an
    append costs when other work stretches the wall-clock figures."""
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as connection:
        pids = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).scalars()  # the appender's own connections, this one among them
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def time_appends(url: str, events: Sequence[Event], batch: int | None) -> tuple[Timed, Rows]:
    """Time appending ``events`` (single or in batches), and the rows written."""
    ledger = open_bench_ledger(url)
    try:
        server = server_cpu(ledger.engines.read)
        start, cpu = time.perf_counter(), time.process_time()
        if batch is None:
            for event in events:
                ledger.append(event)
        else:
            for i in range(0, len(events), batch):
                ledger.append_batch(events[i : i + batch])
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        timed = Timed(elapsed, cpu, server_cpu(ledger.engines.read) - server)
        rows = read_rows(ledger.engines.read, REGISTRY_ENTRIES)
    finally:
        ledger.close()
    return timed, rows


@dataclass(frozen=True, slots=True)
class Rows:
    """The rows an append wrote, grouped by the entry that caused them."""

    entries: list[dict[str, Any]]
    refs: dict[int, list[dict[str, Any]]]
    nodes: dict[int, list[dict[str, Any]]]


def read_rows(engine: Engine, first_seq: int) -> Rows:
    with engine.connect() as connection:
        entries = [
            row._asdict()
            for row in connection.execute(
                select(models.Entry.__table__)
                .where(models.Entry.seq >= first_seq)
                .order_by(models.Entry.seq)
            )
        ]
        refs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(
            select(models.EntryRef.__table__).where(models.EntryRef.seq >= first_seq)
        ):
            refs[row.seq].append(row._asdict())
        nodes: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in connection.execute(select(models.MerkleNode.__table__)):
            completed_by = ((row.idx + 1) << row.level) - 1
            if completed_by >= first_seq:
                nodes[completed_by].append(row._asdict())
    return Rows(entries, refs, nodes)


def time_raw_insert(url: str, rows: Rows, per_transaction: int, *, driver: bool = False) -> float:
    """Seconds to insert ``rows``, ``per_transaction`` entries at a time.

    With SQLAlchemy Core ``insert(table)`` and a dict per row (the bound the issue names),
    or with ``driver``, as the appender writes them (:class:`RowInserts`): driver-level
    ``executemany`` of tuples on SQLite, one binary ``COPY`` per table on PostgreSQL.
    """
    engines = make_engines(url)
    migrate(engines)
    engine = engines.read  # pooled, same pragmas as the ledger's engines
    tables = [
        cast(Table, model.__table__) for model in (models.Entry, models.EntryRef, models.MerkleNode)
    ]
    writer = RowInserts.for_dialect(engine.dialect)
    stamps = {"occurred_at", "recorded_at"}
    columns = [RowInserts.ENTRY_COLUMNS, ("ref", "seq", "role"), ("level", "idx", "hash")]
    try:
        start = time.perf_counter()
        for i in range(0, len(rows.entries), per_transaction):
            chunk = rows.entries[i : i + per_transaction]
            refs = [ref for e in chunk for ref in rows.refs[e["seq"]]]
            nodes = [node for e in chunk for node in rows.nodes[e["seq"]]]
            with engine.begin() as connection:
                if not driver:
                    for table, batch in zip(tables, (chunk, refs, nodes), strict=True):
                        if batch:
                            connection.execute(insert(table), batch)
                    continue
                entry_rows, ref_rows, node_rows = (
                    [
                        tuple(writer.stamp(row[c]) if c in stamps else row[c] for c in names)
                        for row in batch
                    ]
                    for names, batch in zip(columns, (chunk, refs, nodes), strict=True)
                )
                writer.insert(connection, entry_rows, ref_rows, node_rows)
        return time.perf_counter() - start
    finally:
        engines.dispose()


@dataclass(frozen=True, slots=True)
class Run:
    mode: str
    events: int
    append_us: float
    client_cpu_us: float
    server_cpu_us: float
    floor: Floor
    insert_us: float
    driver_insert_us: float

    @property
    def bound_us(self) -> float:
        return self.floor.sig_us + self.floor.hash_us + self.insert_us

    @property
    def ratio(self) -> float:
        return self.bound_us / self.append_us

    @property
    def strict_ratio(self) -> float:
        """Against the cheaper insert the appender itself uses (COPY on PostgreSQL)."""
        return (self.floor.sig_us + self.floor.hash_us + self.driver_insert_us) / self.append_us


def run_backend(backend: str, events: Sequence[Event], n_single: int) -> list[Run]:
    """Each mode's appends, then right after (same machine load) its floor, alone."""
    results = []
    for mode, count, batch in (("single", n_single, None), (f"batch {BATCH}", len(events), BATCH)):
        subset = events[:count]
        progress(f"{backend}: appending {count:,} events ({mode})")
        with database(backend, "append") as url:
            timed, rows = time_appends(url, subset, batch)
        floor = measure_floor(subset)
        with database(backend, "insert") as url:
            raw = time_raw_insert(url, rows, batch or 1)
        with database(backend, "insert") as url:
            driver = time_raw_insert(url, rows, batch or 1, driver=True)
        results.append(
            Run(
                mode,
                count,
                _per_event_us(timed.seconds, count),
                _per_event_us(timed.client_cpu, count),
                _per_event_us(timed.server_cpu, count),
                floor,
                _per_event_us(raw, count),
                _per_event_us(driver, count),
            )
        )
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--backend", action="append", choices=("sqlite", "postgresql"), help="default: both"
    )
    args = parser.parse_args(argv)
    n_single, n_batch = (200, 2_000) if args.quick else (2_000, 20_000)
    backends = args.backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and not pgdb.available():
        progress(f"PostgreSQL not reachable at {pgdb.SERVER}: skipping it")
        backends.remove("postgresql")

    progress(f"signing {n_batch:,} scenario events")
    events = list(scenario_events(n_batch))
    print(f"append throughput: {n_single:,} single appends, {n_batch:,} in batches of {BATCH}")
    print("floor per event, measured alone on the same events right after each run (one core):")
    print("  sig = Ed25519 verification, hash = SHA-256 of leaf, chain and completed nodes,")
    print("  insert = SQLAlchemy Core insert of the rows the append wrote (same transactions)")
    print("  (driver: the same rows as the appender writes them, executemany of tuples on")
    print("  SQLite, binary COPY on PostgreSQL; 'strict' is the ratio against that bound)")
    print("  cpu = the appending process's CPU per event (all its threads), srv = the")
    print("  PostgreSQL backends' CPU per event: both cores are shared by client and server")
    print(
        f"{'backend':<11}{'mode':<11}{'events':>7}{'append/s':>10}{'us/event':>10}"
        f"{'cpu us':>8}{'srv us':>8}{'sig us':>8}{'hash us':>8}{'insert us':>10}{'driver':>8}"
        f"{'bound/s':>9}{'ratio':>7}"
        f"{'strict':>8}  target"
    )
    wire = []
    for backend in backends:
        for run in run_backend(backend, events, n_single):
            verdict = _verdict(backend, run) if run.mode != "single" else "(none)"
            print(
                f"{backend:<11}{run.mode:<11}{run.events:>7,}{1e6 / run.append_us:>10,.0f}"
                f"{run.append_us:>10.1f}{run.client_cpu_us:>8.1f}{run.server_cpu_us:>8.1f}"
                f"{run.floor.sig_us:>8.1f}{run.floor.hash_us:>8.1f}"
                f"{run.insert_us:>10.1f}{run.driver_insert_us:>8.1f}{1e6 / run.bound_us:>9,.0f}"
                f"{run.ratio:>7.0%}{run.strict_ratio:>8.0%}  {verdict}"
            )
            wire.append(run.floor)
    if wire:
        sig2 = statistics.median(f.sig_2threads_us for f in wire)
        parse = statistics.median(f.wire_us for f in wire)
        print(f"(Ed25519 on two threads: {sig2:.1f} us/event, median of the runs)")
        print(f"(wire JSON -> Event with RFC 8785, not part of an append: {parse:.1f} us/event)")


def _verdict(backend: str, run: Run) -> str:
    rate, wanted = 1e6 / run.append_us, RATE_TARGETS[backend]
    return (
        f">= {TARGET:.0%}: {'met' if run.ratio >= TARGET else 'NOT met'}; "
        f">= {wanted:,}/s: {'met' if rate >= wanted else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
