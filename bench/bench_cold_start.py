"""Cold start of the ``threeflow`` command: ``--help`` and an offline ``verify FILE``.

Each command runs as a fresh process, several times, beside ``python -c pass`` measured in
the same run (the interpreter's own start, the floor). The offline verification runs on a
small bundle exported here, so the figure is dominated by imports, not by work: it is what
an auditor waits for before anything is checked. Also prints which heavy packages each
command imported (``-X importtime``), to catch a regression at its cause.

Target: both under one second. Run: ``.venv/bin/python -m bench.bench_cold_start [--runs 7]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HEAVY = ("sqlalchemy", "web3", "eth_account", "pandas", "sklearn", "fastapi", "matplotlib")


def _command() -> list[str]:
    return [sys.executable, "-c", "from finance_api.cli import main; main()"]


def _time(args: Sequence[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0,):
            raise SystemExit(f"{' '.join(args)} failed: {done.stderr[-500:]}")
    return times


def _heavy_imports(args: Sequence[str]) -> list[str]:
    done = subprocess.run(
        [args[0], "-X", "importtime", *args[1:]], capture_output=True, text=True, check=False
    )
    found = set()
    for line in done.stderr.splitlines():
        name = line.rsplit("|", 1)[-1].strip()
        top = name.split(".")[0]
        if top in HEAVY:
            found.add(top)
    return sorted(found)


def _bundle(folder: Path) -> tuple[Path, str]:
    from finance_api import demo_scenario
    from ledger.audit.export import export_bundle
    from ledger.core.keys import SigningKey
    from ledger.log import Ledger

    url = f"sqlite:///{folder / 'cold.db'}"
    key = SigningKey(bytes(32))
    with Ledger.open(url, ledger_key=key, signature_threads=1) as ledger:
        demo_scenario.register(ledger)
        ledger.append_batch(list(demo_scenario.events(orders=20)))
        ledger.checkpoint()
    path = folder / "cold.jsonl"
    export_bundle(url, path)
    return path, key.public_key.hex()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args(argv).runs
    with tempfile.TemporaryDirectory() as tmp:
        bundle, key = _bundle(Path(tmp))
        cases = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "threeflow --help": [*_command(), "--help"],
            "threeflow verify FILE": [*_command(), "verify", str(bundle), "--key", key],
        }
        medians = {name: statistics.median(_time(args, runs)) for name, args in cases.items()}
        floor = medians["python -c pass"]
        print(f"cold start, median of {runs} runs (seconds)")
        for name, args in cases.items():
            median = medians[name]
            heavy = ", ".join(_heavy_imports(args)) or "none"
            print(
                f"  {name:24s} {median:6.3f} s   {median / floor:5.1f}x python -c pass   "
                f"heavy imports: {heavy}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
