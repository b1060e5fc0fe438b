"""Verification throughput and peak memory as the ledger grows, against sig+hash alone.

For each size (cached SQLite ledgers built by batched appends, and their bundles) a fresh
child process runs ``verify_database`` (what ``threeflow verify --db`` runs) or
``verify_bundle`` (``threeflow verify FILE``) with the CLI's defaults, and reports its wall
time and peak resident memory (``ru_maxrss``), next to its resident memory just before
verifying (interpreter and imports loaded). The floor is measured alone on the same ledger's
entries, in the child process right after its verification (so both figures share the
machine's load): Ed25519 verification of each signature plus the SHA-256 work (leaf,
chain, the Merkle nodes each leaf completes), one core.

Targets: memory flat as the ledger grows; throughput >= half the sig+hash rate.

Run: ``.venv/bin/python -m bench.bench_verify [--quick] [--sizes 10000,100000]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.data import ensure_bundles, ensure_ledgers, progress
from ledger.core.keys import verify_signature

FULL_SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (2_000, 10_000)
FLOOR_SAMPLE = 20_000
CHILD_TIMEOUT = 3 * 3600


def child(kind: str, path: str, database: str) -> None:
    """In a fresh process: verify, then print one JSON line of figures."""
    from ledger.audit.database import verify_database
    from ledger.verification.bundle import verify_bundle

    before_kb = _current_rss_kb()
    start = time.perf_counter()
    report = verify_database(f"sqlite:///{path}") if kind == "db" else verify_bundle(Path(path))
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # the floor again, in this process right after, so both figures share the machine's load
    floor_us, _ = sig_hash_floor(Path(database), FLOOR_SAMPLE // 4)
    print(
        json.dumps(
            {
                "entries": report.tree_size,
                "seconds": seconds,
                "rss_before_mb": before_kb / 1024,
                "rss_peak_mb": peak_kb / 1024,
                "floor_us": floor_us,
            }
        )
    )


def _current_rss_kb() -> int:
    """Resident memory now (``ru_maxrss`` is a high-water mark, imports included)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(kind: str, path: Path, database: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_verify", "--child", kind, str(path), str(database)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"verification of {path} failed:\n{result.stderr}")
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def sig_hash_floor(db: Path, sample: int) -> tuple[float, float]:
    """Microseconds per entry for Ed25519 + SHA-256 alone, on one core and on two threads."""
    with sqlite3.connect(db) as connection:
        keys = dict(connection.execute("SELECT key_id, public_key FROM participant_keys"))
        rows = connection.execute(
            "SELECT key_id, canonical, signature FROM entries ORDER BY seq LIMIT ?", (sample,)
        ).fetchall()
    connection.close()
    jobs = [(keys[key_id], canonical, signature) for key_id, canonical, signature in rows]
    sha256 = hashlib.sha256
    start = time.perf_counter()
    tip = bytes(32)
    edge: list[bytes] = []
    for index, (public_key, message, signature) in enumerate(jobs):
        verify_signature(public_key, message, signature)
        leaf = sha256(b"\x00" + message + signature).digest()
        tip = sha256(tip + leaf).digest()
        acc = leaf
        while index & 1:
            acc = sha256(b"\x01" + edge.pop() + acc).digest()
            index >>= 1
        edge.append(acc)
    one_core = (time.perf_counter() - start) / len(jobs) * 1e6

    def sigs(part: Sequence[tuple[bytes, bytes, bytes]]) -> None:
        for public_key, message, signature in part:
            verify_signature(public_key, message, signature)

    with ThreadPoolExecutor(2) as pool:
        start = time.perf_counter()
        list(pool.map(sigs, [jobs[0::2], jobs[1::2]]))
        two_threads_sig = (time.perf_counter() - start) / len(jobs) * 1e6
    return one_core, two_threads_sig


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--sizes", help="comma-separated entry counts (overrides --quick)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    sizes = (
        tuple(int(s) for s in args.sizes.split(","))
        if args.sizes
        else (QUICK_SIZES if args.quick else FULL_SIZES)
    )
    ledgers = ensure_ledgers(sizes)
    bundles = ensure_bundles(sizes)
    largest = ledgers[max(sizes)]
    progress(f"measuring sig+hash alone on {FLOOR_SAMPLE:,} entries of {largest.name}")
    floor_us, sig2_us = sig_hash_floor(largest, FLOOR_SAMPLE)
    print("verification throughput and peak memory (fresh process per run, 2 threads)")
    print(
        f"sig+hash alone, one core: {floor_us:.1f} us/entry = {1e6 / floor_us:,.0f} entries/s "
        "(and again in each run's process, right after it: floor/s below)"
    )
    print(f"(Ed25519 alone on two threads: {sig2_us:.1f} us/entry, for reference)")
    print(
        f"{'kind':<8}{'entries':>11}{'seconds':>9}{'entries/s':>11}{'floor/s':>9}{'ratio':>7}"
        f"{'RSS start':>11}{'RSS peak':>10}{'growth':>9}"
    )
    peaks: dict[str, list[float]] = {"db": [], "bundle": []}
    ratios = []
    for size in sizes:
        for kind, path in (("db", ledgers[size]), ("bundle", bundles[size])):
            progress(f"verifying {path.name}")
            figures = run_child(kind, path, ledgers[size])
            rate = figures["entries"] / figures["seconds"]
            floor_rate = 1e6 / figures["floor_us"]
            ratios.append(rate / floor_rate)
            peaks[kind].append(figures["rss_peak_mb"])
            print(
                f"{kind:<8}{figures['entries']:>11,}{figures['seconds']:>9.1f}{rate:>11,.0f}"
                f"{floor_rate:>9,.0f}{rate / floor_rate:>7.0%}{figures['rss_before_mb']:>9.0f}MB"
                f"{figures['rss_peak_mb']:>8.0f}MB"
                f"{figures['rss_peak_mb'] - figures['rss_before_mb']:>7.0f}MB"
            )
    for kind, values in peaks.items():
        spread = max(values) - min(values)
        flat = spread <= max(16.0, 0.1 * min(values))
        print(
            f"memory, {kind}: peak {min(values):.0f}-{max(values):.0f} MB from "
            f"{min(sizes):,} to {max(sizes):,} entries: {'flat (met)' if flat else 'NOT flat'}"
        )
    worst = min(ratios)
    print(
        f"throughput: worst {worst:.0%} of the sig+hash rate (target >= 50%): "
        f"{'met' if worst >= 0.5 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
