"""Run every benchmark in ``bench/`` one after the other (``make bench``).

Each runs in its own process so one's memory and threads cannot colour another's figures.
``--quick`` is passed on to the scripts that take it, for a smoke run of a few minutes;
without it the full sizes run (a million-entry ledger is built once and cached under
``bench/out/``, which takes a while the first time).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

FIRST = ("bench_append", "bench_verify", "bench_proof_latency")


HERE = Path(__file__).resolve().parent


def scripts() -> list[str]:
    found = sorted(path.stem for path in HERE.glob("bench_*.py"))
    return [name for name in FIRST if name in found] + [n for n in found if n not in FIRST]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke-run sizes where supported")
    quick = parser.parse_args(argv).quick
    failed = []
    for name in scripts():
        takes_quick = '"--quick"' in (HERE / f"{name}.py").read_text(encoding="utf-8")
        args = ["--quick"] if quick and takes_quick else []
        print(f"\n== bench.{name} {' '.join(args)}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *args])
        print(f"== bench.{name}: {time.perf_counter() - start:.0f} s, exit {code}", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
