"""EPCIS capture against its floor: full capture beside parse + validate + hash alone.

The same 1,000-event EPCIS JSON documents (object events, commissioning and shipping) are
timed twice in each round, in one process: ``parse_document`` alone (read, EPCIS schema
validation, CBV 2.0 hash IDs: the work any capture must do before it signs anything), then
the full capture into a fresh SQLite ledger (the same, plus the notary's signature, the
atomic append with its signature check, and the EPCIS index rows). Each phase starts from a
collected heap: a full collection set off by one phase's garbage would otherwise land in
whichever phase crossed the threshold, and move the ratio by half. Prints both rates and
their ratio per round (issue 16's targets: capture >= 2,000 events/s and >= 50 % of the
floor), by the clock and per CPU second of the process. Asserts nothing.

Run: ``.venv/bin/python -m bench.bench_capture [--documents 4] [--batch 1000] [--rounds 3]``
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

from bench.bench_trace import BASE, _filler, _open
from ledger.traceability import samples as s
from ledger.traceability.capture import capture
from ledger.traceability.epcis import parse_document


def one_round(documents: int, batch: int, round_no: int) -> tuple[float, float, float, float]:
    """Wall-clock rates (alone, full), then the same per CPU second of the whole process
    (every thread: the signature threads count), which other work on the cores moves less."""
    docs = [
        s.document_bytes(_filler((round_no * documents + n) * batch, batch), BASE)
        for n in range(documents)
    ]
    count = documents * batch
    gc.collect()  # each phase starts from a collected heap and pays its own collections
    start, cpu = time.perf_counter(), time.process_time()
    for data in docs:
        parse_document(data, "application/json")
    alone = count / (time.perf_counter() - start)
    alone_cpu = count / (time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as tmp:
        ledger = _open(Path(tmp) / "capture.db")
        try:
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            for data in docs:
                capture(ledger, data, "application/json", "bench")
            full = count / (time.perf_counter() - start)
            full_cpu = count / (time.process_time() - cpu)
        finally:
            ledger.close()
    return alone, full, alone_cpu, full_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=4)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for n in range(args.rounds):
        alone, full, alone_cpu, full_cpu = one_round(args.documents, args.batch, n)
        print(
            f"round {n + 1}: parse+validate+hash {alone:8,.0f} events/s  "
            f"full capture {full:8,.0f} events/s  ratio {full / alone:5.0%}   "
            f"per CPU second {alone_cpu:8,.0f} / {full_cpu:8,.0f}  "
            f"ratio {full_cpu / alone_cpu:5.0%}",
            flush=True,
        )


if __name__ == "__main__":
    main()
