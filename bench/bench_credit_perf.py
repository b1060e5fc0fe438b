"""Credit scoring speed: the feature pass against a raw scan, single and batch scores, HTTP.

On one simulated ledger (``--db``, or a world simulated into a fresh SQLite file; with
``--postgres`` the same world simulated into a PostgreSQL scratch database too):

- feature pass over the whole tree (``credit.features.compute``: one streaming scan)
  against a raw scan of the same rows (the same ``SELECT``, rows fetched and counted,
  nothing parsed), entries/s and their ratio (target >= 50 %), and peak resident memory;
- a single score from features in hand (target < 10 ms p99), a single score from the
  ledger (one participant's entries), and batch scoring rows/s;
- ``GET /v1/credit/{id}`` req/s and p99 beside the trivial FastAPI app, both served by
  uvicorn (one worker, uvloop, httptools) and loaded by ``wrk`` in the same run: as the
  subject itself (nothing recorded); as a lender with consent polling its 50 subjects, each
  asked once before the timing (so wrk times scores already computed and recorded: each
  read logged, the score's record named again); and as 150 readers each shown each of the
  50 scores for the first time (each request a new ``credit.score_issued`` entry, signed
  and appended: 7,500 pairs, more than wrk asks in the time); with ``--postgres``, the same
  on PostgreSQL.

Run: ``.venv/bin/python -m bench.bench_credit_perf [--participants 300] [--months 18]
[--db sqlite:///PATH --seed S] [--seconds 10] [--connections 16] [--repeats 2] [--postgres]
[--pass-only]``
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.bench_http import BIN, _serve, cpu_seconds
from bench.bench_http import _wrk as _wrk_percentiles
from credit.features import compute, halves
from credit.features.rows import rows, select_rows
from credit.scoring.scorer import Scorer, load
from credit.scoring.training import train
from finance_api.auth import create_api_key
from ledger.core.events import Event, format_timestamp
from ledger.log import Ledger
from simulations.config import SimulationConfig
from simulations.runner import ledger_key_for, run_simulation, simulation_clock
from simulations.signer import agent_key

LENDER = "lender-0001"
READERS = 150  # each shown each of 50 scores once: 7,500 first sights


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(pid: str, names: tuple[str, str]) -> tuple[float, float]:
    """Two fields of ``/proc/PID/status`` in MB (Linux; zeros elsewhere)."""
    fields: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in names:
                fields[name] = float(value.split()[0]) / 1024
    except OSError:
        pass
    return fields.get(names[0], 0.0), fields.get(names[1], 0.0)


def resident_mb() -> tuple[float, float]:
    """Resident memory now, ``(anonymous, file-backed)`` in MB (Linux; zeros elsewhere).
    Readers map the SQLite file (``mmap_size``), so the peak RSS counts the ledger's pages
    the scan touched (shared, reclaimable page cache) beside the process's own heap."""
    return _status_mb("self", ("RssAnon", "RssFile"))


def _worker_cpu() -> float:
    """CPU seconds of the feature pass's worker process so far (0 before it starts; a new
    worker counts from its start)."""
    pid = halves.worker_pid()
    return 0.0 if pid is None else cpu_seconds(pid)


def _worker_memory_mb() -> tuple[float, float]:
    """Peak resident memory of the pass's worker process and its heap now (MB; zeros when
    it is not running): like this process, it maps the ledger file, whose pages both
    share."""
    pid = halves.worker_pid()
    return (0.0, 0.0) if pid is None else _status_mb(str(pid), ("VmHWM", "RssAnon"))


def scan_rates(
    ledger: Ledger, repeats: int = 2
) -> tuple[float, float, float, int, int, float, float]:
    """Entries of the tree per second: the raw scan (one ``SELECT`` of every row of the
    types the pass reads, in order, rows fetched and counted, nothing parsed) and the
    feature pass; on SQLite the same scan's rows read from sqlite3's own cursor (what
    SQLAlchemy's rows cost); the rows both read; the CPU seconds of each (under load the
    cores are not free, and the wall time moves with the other jobs): the pass's are those
    of this process and of the worker folding the other half (:mod:`credit.features.halves`)
    together. Each pass is printed as it ends; the first one starts the worker."""
    size = ledger.size()
    raw, feat, raw_cpu, feat_cpu, driver = [], [], [], [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        with ledger.reading() as connection:
            count = sum(1 for _ in rows(connection, size))
        raw.append(time.perf_counter() - t)
        raw_cpu.append(time.process_time() - c)
        if ledger.engines.is_sqlite:  # the same rows from the driver's own cursor
            t = time.perf_counter()
            with ledger.reading() as connection:
                driver_count = sum(1 for _ in connection.execute(select_rows(size)).cursor)
            driver.append(time.perf_counter() - t)
            assert driver_count == count
        t, c, w = time.perf_counter(), time.process_time(), _worker_cpu()
        table = compute(ledger, size)
        feat.append(time.perf_counter() - t)
        worker = _worker_cpu() - w
        feat_cpu.append(time.process_time() - c + worker)
        progress(f"feature pass {len(feat)}: {feat[-1]:.2f} s, CPU {feat_cpu[-1]:.2f} s "
                 f"({worker:.2f} s of it in the worker)")  # fmt: skip
        assert table.entries == count  # the same rows
    rates = size / min(raw), size / min(feat), size / min(driver) if driver else 0.0
    return (*rates, size, count, min(raw_cpu), min(feat_cpu))


def simulate(url: str, participants: int, months: int, seed: int, truth: Path) -> None:
    config = SimulationConfig(participants=participants, months=months, seed=seed)
    clock = simulation_clock(config)
    with Ledger.open(url, ledger_key=ledger_key_for(seed), clock=clock) as ledger:
        run_simulation(config, ledger, truth, progress=False, clock=clock)
        ledger.checkpoint()


def score_latencies(ledger: Ledger, scorer: Scorer) -> dict[str, float]:
    table = compute(ledger)
    sellers = [p for p, r in table.roles.items() if r == "seller"]
    picks = random.Random(1).choices(sellers, k=500)
    one = []
    for p in picks:
        t = time.perf_counter()
        scorer.score_table(table, [p])
        one.append(time.perf_counter() - t)
    t = time.perf_counter()
    scorer.score_table(table, sellers)
    batch = len(sellers) / (time.perf_counter() - t)
    ledger_one = []
    for p in picks[:50]:
        t = time.perf_counter()
        scorer.score(ledger, [p], table.as_of.tree_size)
        ledger_one.append(time.perf_counter() - t)
    ms = lambda xs, q: float(np.percentile(xs, q) * 1000)  # noqa: E731
    return {"one_p50": ms(one, 50), "one_p99": ms(one, 99), "batch_rows_s": batch,
            "ledger_p50": ms(ledger_one, 50), "ledger_p99": ms(ledger_one, 99),
            "sellers": len(sellers)}  # fmt: skip


def http(
    source: str, seed: int, model: Path, seconds: int, connections: int
) -> dict[str, tuple[float, float, float]]:
    """Serve the ledger at ``source`` (a SQLite file is copied first; a PostgreSQL scratch
    database of this run is written to as it is) and load it with wrk."""
    results: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "var").mkdir()
        (folder / "var" / "ledger.key").write_text(ledger_key_for(seed).seed.hex() + "\n")
        (folder / "scorer.key").write_text(agent_key(seed, "platform-0001").seed.hex() + "\n")
        url = source
        if source.startswith("sqlite:///"):
            copy = folder / "ledger.db"
            shutil.copy(Path(source.removeprefix("sqlite:///")), copy)
            url = f"sqlite:///{copy}"
        with Ledger.open(url, ledger_key=ledger_key_for(seed)) as ledger:
            roles = compute(ledger).roles
            sellers = sorted(p for p, r in roles.items() if r == "seller")[:50]
            readers = sorted(p for p in roles if p not in sellers)[:READERS]
            now = ledger.clock.now()
            subject_key = create_api_key(ledger, sellers[0], "bench", now)
            lender_key = create_api_key(ledger, LENDER, "bench", now)
            reader_keys = {r: create_api_key(ledger, r, "bench", now) for r in readers}
            grants = [Event.create(
                agent_key(seed, s), flow="information", type="consent.granted", actor=s,
                payload={"consent_id": f"bench-{s}-{g}", "subject": s, "grantee": g,
                         "scope": ["score"],
                         "expires_at": format_timestamp(now + timedelta(days=9))},
                occurred_at=now, subjects=[g])
                for g in [LENDER, *readers] for s in sellers]  # fmt: skip
            for start in range(0, len(grants), 500):
                ledger.append_batch(grants[start : start + 500])
            ledger.checkpoint()
        # per-key rate limits off: the default (100/s a key) would answer most of wrk's
        # requests 429, and the bench would time refusals
        env = {**os.environ, "THREEFLOW_CHECKPOINT_EVERY_SECONDS": "3600",
               "THREEFLOW_RATE_PER_SECOND": "1e9", "THREEFLOW_RATE_BURST": "1000000000",
               "THREEFLOW_CREDIT_MODEL": str(model), "THREEFLOW_CREDIT_SCORER_KEY_FILE":
               str(folder / "scorer.key")}  # fmt: skip
        trivial, base = _serve([str(BIN / "uvicorn"), "bench.trivial_app:app", "--loop",
                                "uvloop", "--http", "httptools", "--log-level", "warning"],
                               Path.cwd(), env)  # fmt: skip
        try:
            results["trivial FastAPI /health"] = _wrk(
                base + "/health", seconds, connections, None, trivial.pid
            )
        finally:
            trivial.terminate()
            trivial.wait()
        server, base = _serve([str(BIN / "threeflow"), "serve", "--db", url], folder, env)
        try:
            own = folder / "own.lua"
            own.write_text(f'wrk.headers["X-API-Key"] = "{subject_key}"\n')
            import httpx

            httpx.get(f"{base}/v1/credit/{sellers[0]}", headers={"X-API-Key": subject_key})
            results["GET /v1/credit/{id}, the subject"] = _wrk(
                f"{base}/v1/credit/{sellers[0]}", seconds, connections, own, server.pid
            )
            for s in sellers:  # each score computed once before the timing (the subject's
                # own above too): wrk times recorded scores, not a first computation of each
                httpx.get(f"{base}/v1/credit/{s}", headers={"X-API-Key": lender_key})
            lender = folder / "lender.lua"
            paths = ",".join(f'"/v1/credit/{s}"' for s in sellers)
            lender.write_text(
                f'wrk.headers["X-API-Key"] = "{lender_key}"\npaths = {{{paths}}}\ni = 0\n'
                "request = function()\n  i = i % #paths + 1\n"
                "  return wrk.format(nil, paths[i])\nend\n"
            )
            results["GET /v1/credit/{id}, a lender polling"] = _wrk(
                base + "/", seconds, connections, lender, server.pid
            )
            first = folder / "first.lua"
            keys = ",".join(f'"{key}"' for key in reader_keys.values())
            first.write_text(  # every (reader, subject) pair once before any comes again
                f"keys = {{{keys}}}\npaths = {{{paths}}}\ni = 0\nrequest = function()\n"
                "  local key = keys[i % #keys + 1]\n"
                "  local path = paths[math.floor(i / #keys) % #paths + 1]\n"
                "  i = i + 1\n"
                '  return wrk.format(nil, path, {["X-API-Key"] = key})\nend\n'
            )
            results["GET /v1/credit/{id}, each a first sight"] = _wrk(
                base + "/", seconds, connections, first, server.pid
            )
        finally:
            server.terminate()
            server.wait()
    return results


def _wrk(
    url: str, seconds: int, connections: int, script: Path | None, pid: int
) -> tuple[float, float, float]:
    """Requests/s, p99 (ms) and the server's CPU time per request (us, all its threads) of
    one wrk run: the CPU figure moves far less than the rate when other work shares the
    machine."""
    before = cpu_seconds(pid)
    rate, _, _, p99 = _wrk_percentiles(url, seconds, connections, script)
    used = cpu_seconds(pid) - before
    return rate, p99, used / max(rate * seconds, 1.0) * 1e6


def show(results: dict[str, tuple[float, float, float]]) -> None:
    base = results["trivial FastAPI /health"][0]
    for name, (rate, p99, cpu) in results.items():
        print(f"    {name:42s} {rate:8,.0f} req/s {rate / base:5.0%} of trivial"
              f"  p99 {p99:7.1f} ms  server CPU {cpu:6.0f} us/req")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="an existing simulated SQLite ledger (sqlite:///PATH)")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also simulate the world into PostgreSQL and time it there",
    )
    parser.add_argument("--repeats", type=int, default=2, help="scan and pass timed N times each")
    parser.add_argument("--pass-only", action="store_true", help="the scan and the pass alone")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.db
        if url is None:
            url = f"sqlite:///{folder / 'sim.db'}"
            progress(f"simulating {args.participants} x {args.months} into {url}")
            simulate(url, args.participants, args.months, args.seed, folder / "truth")
        before = peak_mb()
        with Ledger.open(url, read_only=True) as ledger:
            anon_before, _ = resident_mb()
            raw, feat, driver, size, read, raw_cpu, feat_cpu = scan_rates(ledger, args.repeats)
            after = peak_mb()
            anon, mapped = resident_mb()
            if not args.pass_only:
                trained = train(ledger, folder / "models", created_at=datetime.now(UTC))
                figures = score_latencies(ledger, Scorer(load(trained.folder)))
        sellers = "" if args.pass_only else f" ({figures['sellers']} sellers)"
        print(f"Credit scoring on a simulated SQLite ledger of {size:,} entries{sellers}")
        print(f"  raw scan of the rows        {raw:12,.0f} entries/s  ({read:,} rows of the "
              "types the pass reads)")  # fmt: skip
        print(f"  feature pass (all firms)    {feat:12,.0f} entries/s  {feat / raw:5.0%} of "
              f"the scan  peak RSS {after:,.0f} MB (before {before:,.0f} MB)")  # fmt: skip
        if halves.worker_pid() is not None:
            peak, heap = _worker_memory_mb()
            print(f"  the pass's worker process   peak RSS {peak:,.0f} MB ({heap:,.0f} MB heap)")
        if driver:
            print(f"  raw scan, sqlite3's cursor  {driver:12,.0f} entries/s  (no SQLAlchemy rows; "
                  f"the pass is {feat / driver:.0%} of it)")  # fmt: skip
        print(f"  CPU seconds, scan / pass    {raw_cpu:.2f} / {feat_cpu:.2f}  (the pass "
              f"{raw_cpu / feat_cpu:.0%} of the scan by CPU; {feat_cpu / read * 1e6:.2f} us "
              "a row it reads)")  # fmt: skip
        print(f"  resident after the passes   {anon:,.0f} MB heap (before {anon_before:,.0f} MB)"
              f" + {mapped:,.0f} MB of the mapped ledger file")  # fmt: skip
        if not args.pass_only:
            print(f"  one score, features in hand p50 {figures['one_p50']:.2f} ms  "
                  f"p99 {figures['one_p99']:.2f} ms")  # fmt: skip
            print(f"  one score from the ledger   p50 {figures['ledger_p50']:.1f} ms  "
                  f"p99 {figures['ledger_p99']:.1f} ms (that participant's entries)")  # fmt: skip
            print(f"  batch scoring               {figures['batch_rows_s']:12,.0f} rows/s")
        wrk = not args.no_http and not args.pass_only and shutil.which("wrk") is not None
        if wrk:
            results = http(url, args.seed, trained.folder, args.seconds, args.connections)
            print(f"  HTTP, wrk -t1 -c{args.connections} -d{args.seconds}s, one uvicorn worker:")
            show(results)
        if args.postgres:
            from bench import pgdb

            with pgdb.scratch_database("credit") as pg:
                simulate(pg, args.participants, args.months, args.seed, folder / "pg.truth")
                with Ledger.open(pg, read_only=True) as ledger:
                    raw, feat, driver, size, read, raw_cpu, feat_cpu = scan_rates(
                        ledger, args.repeats
                    )
                print(f"  PostgreSQL ({size:,} entries): raw scan {raw:,.0f} entries/s, feature "
                      f"pass {feat:,.0f} entries/s ({feat / raw:.0%} of the scan)")  # fmt: skip
                if wrk:
                    results = http(pg, args.seed, trained.folder, args.seconds, args.connections)
                    print("  HTTP on PostgreSQL, the same load:")
                    show(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
