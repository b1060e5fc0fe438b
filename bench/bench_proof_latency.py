"""Inclusion and consistency proof latency through ``Ledger`` at a million entries.

SQLite: the cached bench ledger (built by batched appends). PostgreSQL: a scratch database
migrated by Alembic and loaded with a copy of the same ledger's rows (``COPY``; appending
a million signed entries again would measure appends, not proofs), analysed, then dropped.
Each request is timed end to end through ``Ledger.inclusion_proof`` /
``Ledger.consistency_proof`` (transaction, tree size, node reads, root), against the full
tree and against random earlier tree sizes; every proof is then checked with the RFC 9162
verifiers (untimed) so fast wrong answers cannot pass. Target: under 5 ms.

Run: ``.venv/bin/python -m bench.bench_proof_latency [--quick] [--backend sqlite|postgresql]
[--pg-url URL]`` (``--pg-url``: a database already loaded with the same rows, read as it is,
so that runs before and after a change need one copy between them).
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import MetaData

from bench import pgdb
from bench.data import ensure_ledgers, progress
from ledger.core.errors import LedgerError
from ledger.core.merkle import verify_consistency, verify_inclusion
from ledger.log import Ledger
from ledger.storage.db import make_engines, migrate

TARGET_MS = 5.0
SKIPPED = ("alembic_version",)  # written by the migration itself
# (table, column) of every column drawing from a sequence (serial or identity)
_OWNED = """
SELECT t.relname, a.attname FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
"""


def copy_to_postgres(db: Path, url: str) -> None:
    """Load every row of the SQLite ledger into a freshly migrated PostgreSQL database.

    Every table, read models included: a server opening a copy of the ledger alone
    rebuilt its projections from every entry before it answered (over a minute at a
    million entries), and the bench's server never came up. Tables are filled parents
    first (the order of their foreign keys, from the migrated schema).
    """
    engines = make_engines(url)
    migrate(engines)
    schema = MetaData()
    schema.reflect(engines.write)
    engines.dispose()
    source = sqlite3.connect(db)
    try:
        present = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
        tables = [t.name for t in schema.sorted_tables if t.name in present]
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as target:
            target.execute("SET TIME ZONE 'UTC'")
            for table in tables:
                if table in SKIPPED:
                    continue
                columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
                names = ", ".join(f'"{c}"' for c in columns)
                cursor = source.execute(f'SELECT {names} FROM "{table}"')
                rows = cursor.fetchmany(10_000)
                if not rows:
                    continue
                with target.cursor().copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    while rows:
                        for row in rows:
                            copy.write_row(row)
                        rows = cursor.fetchmany(10_000)
                progress(f"  copied {table}")
            for table, column in target.execute(_OWNED).fetchall():  # ids copied, not drawn
                target.execute(
                    f'SELECT setval(pg_get_serial_sequence(%s, %s), max("{column}"))'
                    f' FROM "{table}" HAVING max("{column}") IS NOT NULL',
                    (f'"{table}"', column),
                )
            target.commit()
            target.autocommit = True
            target.execute("ANALYZE")
    finally:
        source.close()


def percentile(values: Sequence[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)
    )


def timed(calls: Sequence[Callable[[], Any]]) -> tuple[list[float], list[Any]]:
    """Milliseconds per call, and the results."""
    times, results = [], []
    for call in calls:
        start = time.perf_counter()
        results.append(call())
        times.append((time.perf_counter() - start) * 1e3)
    return times, results


def bench(ledger: Ledger, samples: int, rng: random.Random) -> list[tuple[str, list[float], int]]:
    size = ledger.size()
    leaf_hashes: dict[int, bytes] = {}
    for _ in range(50):  # warm the pool and the caches a little
        ledger.inclusion_proof(rng.randrange(size))
    cases: list[tuple[str, list[Callable[[], Any]], Callable[[Any], None]]] = []

    def check_inclusion(proof: Any) -> None:
        expected = leaf_hashes.setdefault(
            proof.leaf_index, ledger.entry(proof.leaf_index).leaf_hash
        )
        if proof.leaf_hash != expected:
            raise LedgerError("the proof names another leaf hash")
        verify_inclusion(
            proof.leaf_hash, proof.leaf_index, proof.tree_size, proof.audit_path, proof.root_hash
        )

    def check_consistency(proof: Any) -> None:
        verify_consistency(
            proof.first, proof.second, proof.first_root, proof.second_root, proof.proof
        )

    def inclusion(seq: int, tree_size: int) -> Callable[[], Any]:
        return lambda: ledger.inclusion_proof(seq, tree_size)

    def consistency(first: int, second: int) -> Callable[[], Any]:
        return lambda: ledger.consistency_proof(first, second)

    full = [inclusion(rng.randrange(size), size) for _ in range(samples)]
    earlier = []
    for _ in range(samples):
        tree_size = rng.randrange(1, size + 1)
        earlier.append(inclusion(rng.randrange(tree_size), tree_size))
    cons_full = [consistency(rng.randrange(1, size + 1), size) for _ in range(samples)]
    cons_any = []
    for _ in range(samples):
        a, b = sorted((rng.randrange(1, size + 1), rng.randrange(1, size + 1)))
        cons_any.append(consistency(a, b))
    cases = [
        ("inclusion, tree = head", full, check_inclusion),
        ("inclusion, earlier tree", earlier, check_inclusion),
        ("consistency m -> head", cons_full, check_consistency),
        ("consistency m -> n", cons_any, check_consistency),
    ]
    out = []
    for name, calls, check in cases:
        times, results = timed(calls)
        bad = 0
        for result in results:
            try:
                check(result)
            except LedgerError:
                bad += 1
        out.append((name, times, bad))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 entries, few samples")
    parser.add_argument(
        "--backend", action="append", choices=("sqlite", "postgresql"), help="default: both"
    )
    parser.add_argument("--samples", type=int, help="requests per row (default 2,000; 200 quick)")
    parser.add_argument("--pg-url", help="PostgreSQL database already loaded (left as it is)")
    args = parser.parse_args(argv)
    size, samples = (10_000, 200) if args.quick else (1_000_000, 2_000)
    samples = args.samples or samples
    backends = args.backend or ["sqlite", "postgresql"]
    if "postgresql" in backends and not pgdb.available():
        progress(f"PostgreSQL not reachable at {pgdb.SERVER}: skipping it")
        backends.remove("postgresql")
    db = ensure_ledgers([size])[size]
    print(f"proof latency through Ledger at {size:,} entries, {samples:,} requests per row (ms)")
    print(
        f"{'backend':<11}{'request':<25}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
        f"{'bad':>5}  target p95 < {TARGET_MS:g} ms"
    )
    for backend in backends:
        rng = random.Random(9162)
        if backend == "sqlite":
            with Ledger.open(f"sqlite:///{db}", read_only=True) as ledger:
                rows = bench(ledger, samples, rng)
        elif args.pg_url:
            with Ledger.open(args.pg_url, read_only=True) as ledger:
                rows = bench(ledger, samples, rng)
        else:
            with pgdb.scratch_database("proofs") as url:
                progress(f"copying {db.name} into PostgreSQL")
                copy_to_postgres(db, url)
                with Ledger.open(url, read_only=True) as ledger:
                    rows = bench(ledger, samples, rng)
        for name, times, bad in rows:
            p95 = percentile(times, 95)
            print(
                f"{backend:<11}{name:<25}{percentile(times, 50):>7.2f}{p95:>7.2f}"
                f"{percentile(times, 99):>7.2f}{max(times):>7.2f}{bad:>5}  "
                f"{'met' if p95 < TARGET_MS and not bad else 'NOT met'}"
            )


if __name__ == "__main__":
    main()
