"""HTTP throughput and tail latency of threeflow's routes beside a trivial FastAPI endpoint.

Both apps are served the same way — uvicorn, one worker, uvloop and httptools, on loopback —
and loaded from a second process by ``wrk`` (Debian package ``wrk``) with the same
connections and duration, in the same run. The ledger holds ``--size`` entries with signed
checkpoints; proofs are asked for random entries in the latest checkpoint's tree.

Targets: ``/health`` and ``/v1/checkpoints/latest`` at >= 80% of the trivial endpoint's
requests/s, proofs at >= 50%, p99 < 50 ms. The last rows ask fresh proofs one at a time on
one connection: their p95 is a request's own latency (at 32 connections it is mostly the
queue), against the target p95 < 5 ms at a million entries. ``--backend postgresql`` serves
a scratch PostgreSQL database loaded with the same ledger's rows (dropped after), or with
``--pg-url`` one already loaded (as ``bench_proof_latency`` loads it; left as it is).
Beside each row: the CPU each request cost the server process, and on PostgreSQL the
database's backends serving it (from ``/proc``: the server must run on this machine). On
a shared machine the rates move with the other jobs; the CPU a request costs does much
less.

Run: ``.venv/bin/python -m bench.bench_http [--size 100000] [--seconds 10] [--connections 32]
[--backend sqlite|postgresql] [--pg-url URL]``
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import psycopg

from bench import pgdb
from bench.bench_proof_latency import copy_to_postgres
from bench.data import ensure_ledgers, ledger_key, progress

BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _same_way(args: list[str]) -> list[str]:
    """The trivial app under plain uvicorn kept to the one CPU ``threeflow serve`` keeps its
    single worker to (``finance_api.commands.service.pin_to_one_cpu``): served the same way."""
    if Path(args[0]).name != "uvicorn" or shutil.which("taskset") is None:
        return args
    return ["taskset", "-c", str(max(os.sched_getaffinity(0))), *args]


def _serve(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    process = subprocess.Popen([*_same_way(args), "--port", str(port)], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{' '.join(args)} did not come up")


# wrk prints 50/75/90/99% only: the script's done() writes the percentiles wanted (in us)
_PERCENTILES = """
done = function(summary, latency, requests)
  io.write(string.format("PERCENTILES %d %d %d\\n", latency:percentile(50),
                         latency:percentile(95), latency:percentile(99)))
end
"""


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends(url: str | None) -> dict[int, float]:
    """CPU so far of each PostgreSQL backend connected to the database of ``url``."""
    if url is None or not url.startswith("postgresql"):
        return {}
    name = url.rpartition("/")[2]
    query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
    with psycopg.connect(pgdb.SERVER, autocommit=True) as admin:  # the bench's own server
        pids = [pid for (pid,) in admin.execute(query, (name,))]
    found = {}
    for pid in pids:
        with suppress(OSError):  # gone meanwhile, or not on this machine
            found[pid] = cpu_seconds(pid)
    return found


Row = tuple[float, float, float, float, float, float]


def _measured(
    pid: int, database: str | None, url: str, seconds: int, connections: int, script: Path
) -> Row:
    """:func:`_wrk`'s figures, then the server's and the database's CPU a request (µs)."""
    server, backends = cpu_seconds(pid), _backends(database)
    rate, p50, p95, p99 = _wrk(url, seconds, connections, script)
    used = cpu_seconds(pid) - server
    db = sum(cpu - backends.get(pid, 0.0) for pid, cpu in _backends(database).items())
    requests = max(rate * seconds, 1.0)
    return rate, p50, p95, p99, used / requests * 1e6, db / requests * 1e6


def _wrk(
    url: str, seconds: int, connections: int, script: Path | None
) -> tuple[float, float, float, float]:
    """Requests/s, then p50, p95 and p99 in ms (``script`` gets the percentile report added
    when it lacks it; without one, only the report runs)."""
    text = "" if script is None else script.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "wrk.lua"
        run.write_text(text if "PERCENTILES" in text else text + _PERCENTILES)
        args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(run), url]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if refused is not None:  # a rate of refusals is not the rate of the route
        raise SystemExit(f"{url}: {refused.group(1)} answers were not 2xx\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    found = re.search(r"PERCENTILES (\d+) (\d+) (\d+)", out)
    assert found is not None, out
    p50, p95, p99 = (int(found.group(i)) / 1000 for i in (1, 2, 3))
    return rate, p50, p95, p99


def _plain_script(folder: Path) -> Path:
    script = folder / "plain.lua"
    script.write_text(_PERCENTILES)
    return script


def _proof_script(folder: Path, size: int) -> Path:
    """2,000 entries asked in turn: after the first round, proofs the server served before."""
    seqs = random.Random(7).sample(range(size), min(size, 2000))
    lines = ",".join(f'"/v1/proofs/inclusion?seq={s}&tree_size={size}"' for s in seqs)
    script = folder / "proofs.lua"
    script.write_text(
        f"paths = {{{lines}}}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\nend\n" + _PERCENTILES
    )
    return script


def _fresh_proof_script(folder: Path, size: int, start: int = 0) -> Path:
    """Each request a different entry, in an order no cache has seen: every proof is made
    (``start`` moves the walk on, so that a later row asks proofs none before it asked)."""
    script = folder / f"fresh-{start}.lua"
    script.write_text(
        f"i = {start}\nrequest = function()\n  i = (i + 7919) % {size}\n"
        f'  return wrk.format(nil, "/v1/proofs/inclusion?seq=" .. i .. "&tree_size={size}")\n'
        "end\n" + _PERCENTILES
    )
    return script


def _fresh_consistency_script(folder: Path, size: int, start: int = 0) -> Path:
    """Consistency from a different earlier tree size each request to the checkpoint's."""
    script = folder / f"consistency-{start}.lua"
    script.write_text(
        f"i = {start}\nrequest = function()\n  i = (i + 7919) % {size}\n"
        f'  return wrk.format(nil, "/v1/proofs/consistency?first=" .. (i + 1) .. '
        f'"&second={size}")\nend\n' + _PERCENTILES
    )
    return script


@contextmanager
def _database(backend: str, db: Path, folder: Path, loaded: str | None) -> Iterator[str]:
    """The URL to serve: a copy of the SQLite ledger, or a PostgreSQL database loaded
    with its rows."""
    if backend == "postgresql" and loaded:
        yield loaded
        return
    if backend == "sqlite":
        copy = folder / "ledger.db"
        shutil.copy(db, copy)
        yield f"sqlite:///{copy}"
        return
    if not pgdb.available():
        raise SystemExit(f"PostgreSQL is not reachable at {pgdb.SERVER}")
    with pgdb.scratch_database("http") as url:
        progress(f"copying {db.name} into PostgreSQL")
        copy_to_postgres(db, url)
        yield url


def _threeflow(
    served: str, folder: Path, env: dict[str, str], seconds: int, c: int, plain: Path
) -> dict[str, Row]:
    """The rows of threeflow's own server on database ``served``."""
    server, url = _serve([str(BIN / "threeflow"), "serve", "--db", served], folder, env)
    results = {}
    try:
        size = httpx.get(url + "/v1/checkpoints/latest").json()["tree_size"]
        half = size // 2  # the one-connection rows start elsewhere in the walk
        rows: list[tuple[str, str, int, Path]] = [
            ("threeflow /health", "/health", c, plain),
            ("threeflow /v1/checkpoints/latest", "/v1/checkpoints/latest", c, plain),
            ("inclusion, each made (no repeat)", "/", c, _fresh_proof_script(folder, size)),
            ("inclusion, 2,000 entries in turn", "/", c, _proof_script(folder, size)),
            ("consistency, each made", "/", c, _fresh_consistency_script(folder, size)),
            ("inclusion, each made, 1 conn", "/", 1, _fresh_proof_script(folder, size, half)),
            ("consistency, each made, 1 conn", "/", 1,
             _fresh_consistency_script(folder, size, half)),
        ]  # fmt: skip
        for name, path, connections, lua in rows:
            progress(f"loading {name}")
            results[name] = _measured(server.pid, served, url + path, seconds, connections, lua)
    finally:
        server.terminate()
        server.wait()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", help="PostgreSQL database already loaded (left as it is)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    db = ensure_ledgers([args.size])[args.size]
    env = {**os.environ, "THREEFLOW_CHECKPOINT_EVERY_SECONDS": "3600"}
    c = args.connections
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "var").mkdir()
        (folder / "var" / "ledger.key").write_text(ledger_key().seed.hex() + "\n")
        plain = _plain_script(folder)
        results: dict[str, Row] = {}
        trivial, url = _serve(
            [str(BIN / "uvicorn"), "bench.trivial_app:app", "--loop", "uvloop", "--http",
             "httptools", "--log-level", "warning"], Path.cwd(), env,
        )  # fmt: skip
        try:
            results["trivial FastAPI /health"] = _measured(
                trivial.pid, None, url + "/health", args.seconds, c, plain
            )
        finally:
            trivial.terminate()
            trivial.wait()
        with _database(args.backend, db, folder, args.pg_url) as served:
            results.update(_threeflow(served, folder, env, args.seconds, c, plain))
    base = results["trivial FastAPI /health"][0]
    print(
        f"HTTP on loopback, 1 uvicorn worker (uvloop, httptools), wrk -t1 -c{c} (1 where said)"
        f" -d{args.seconds}s, ledger of {args.size:,} entries on {args.backend}"
    )
    print(f"  {'':36s} {'req/s':>9s}  {'of trivial':>10s}  {'p50':>6s} {'p95':>6s} {'p99':>6s} ms"
          f"  CPU/req: server, db (us)")  # fmt: skip
    for name, (rate, p50, p95, p99, cpu, db) in results.items():
        print(f"  {name:36s} {rate:9,.0f}  {rate / base:10.0%}  {p50:6.2f} {p95:6.2f} {p99:6.2f}"
              f"     {cpu:6.0f} {db:6.0f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
