"""EPCIS capture rate and trace latency with proofs on a large ledger.

Capture rate: events/s through the whole capture path (read, EPCIS schema validation, CBV
hashing, signing by the capture notary, atomic append, index rows), in documents of
``--batch`` ObjectEvents. Trace latency: a backward trace with one inclusion proof per
entry against one checkpoint, for transformation chains 5, 20 and 50 links deep, on a
ledger filled to ``--size`` entries. The ledger is cached in ``--path`` (default under
``/tmp``: a million entries take a while to build on a shared machine) and reused when its
size matches. Prints figures only.

Run: ``.venv/bin/python -m bench.bench_trace [--size 1000000] [--batch 1000] [--path FILE]``
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from ledger.core.keys import SigningKey
from ledger.log import CheckpointPolicy, Ledger
from ledger.storage.models import Participant
from ledger.traceability import samples as s
from ledger.traceability.capture import capture, capture_events
from ledger.traceability.epcis import EpcisEvent
from ledger.traceability.trace import trace
from ledger.verification.trace import verify_trace

OUT = Path(__file__).resolve().parent / "out"
KEY = SigningKey(bytes(range(100, 132)))
BENCH_KEY = SigningKey(bytes(range(40, 72)))
DEPTHS = (5, 20, 50)
BASE = datetime(2025, 1, 1, tzinfo=UTC)
SITE = "urn:epc:id:sgln:0614141.00001.0"


def _item(chain: int, link: int) -> str:
    return f"urn:epc:id:sgtin:0614141.{100000 + chain}.{link}"


def _chain_events(depth: int) -> list[dict[str, object]]:
    events = [
        s.object_event(
            BASE, [_item(depth, 0)], action="ADD", biz_step="commissioning", biz_location=SITE
        )
    ]
    for link in range(depth):
        events.append(
            s.transformation_event(
                BASE + timedelta(minutes=link + 1), [_item(depth, link)], [_item(depth, link + 1)]
            )
        )
    return events


def _filler(start: int, count: int) -> list[dict[str, object]]:
    return [
        s.object_event(
            BASE + timedelta(seconds=start + i),
            [f"urn:epc:id:sgtin:4012345.{(start + i) % 900000 + 100000:06d}.{start + i}"],
            action="ADD" if (start + i) % 2 == 0 else "OBSERVE",
            biz_step="commissioning" if (start + i) % 2 == 0 else "shipping",
            read_point=SITE,
        )
        for i in range(count)
    ]


def _open(path: Path) -> Ledger:
    ledger = Ledger.open(
        f"sqlite:///{path}",
        ledger_key=KEY,
        policy=CheckpointPolicy(every_entries=1_000_000_000, every_seconds=1e12),
    )
    with ledger.reading() as connection:
        known = connection.execute(select(Participant.id).where(Participant.id == "bench")).first()
    if known is None:  # commissioning needs the GS1 company prefixes registered to the capturer
        ledger.register_participant(
            "bench",
            "Bench",
            ["seller"],
            "DE",
            BENCH_KEY.public_key,
            BASE - timedelta(days=1),
            gs1_prefixes=["0614141", "4012345"],
        )
    return ledger


def default_path(size: int) -> Path:
    return Path("/tmp") / f"threeflow-bench-trace-{size}.db"


def build(size: int, batch: int, path: Path | None = None) -> tuple[Ledger, float | None]:
    """The cached ledger of ``size`` entries (built if missing), and the rate it was built at.

    The filler events are built here, so they skip reading and schema validation (hashing,
    signing, appending and indexing remain): the full capture path is timed apart.
    """
    path = path or default_path(size)
    if path.exists():
        ledger = _open(path)
        if ledger.size() >= size:
            return ledger, None
        ledger.close()
        path.unlink()
    ledger = _open(path)
    for depth in DEPTHS:
        capture(ledger, s.document_bytes(_chain_events(depth), BASE), "application/json", "bench")
    done, elapsed, started = 0, 0.0, time.perf_counter()
    while ledger.size() < size:
        count = min(batch, size - ledger.size())
        t0 = time.perf_counter()
        events = [EpcisEvent.from_event(e) for e in _filler(done, count)]
        capture_events(ledger, events, "bench")
        elapsed += time.perf_counter() - t0
        done += count
        if done % (batch * 50) == 0:
            rate = done / elapsed
            print(
                f"  built {ledger.size():,} entries ({rate:,.0f} events/s, "
                f"{time.perf_counter() - started:,.0f} s)",
                flush=True,
            )
    return ledger, done / elapsed if elapsed else None


def capture_rate(batch: int, documents: int) -> float:
    """Full capture rate (bytes in) on a fresh ledger, not skewed by the size of the cache."""
    path = OUT / "capture-rate.db"
    path.unlink(missing_ok=True)
    ledger = _open(path)
    try:
        start = time.perf_counter()
        for n in range(documents):
            data = s.document_bytes(_filler(n * batch, batch), BASE)
            capture(ledger, data, "application/json", "bench")
        return documents * batch / (time.perf_counter() - start)
    finally:
        ledger.close()
        path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--path", type=Path, default=None, help="cached ledger file")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if args.build_only:
        ledger, build_rate = build(args.size, args.batch, args.path)
        print(f"built {ledger.size():,} entries at {build_rate or 0:,.0f} events/s")
        ledger.close()
        return
    rate = capture_rate(args.batch, 10)
    print(
        f"EPCIS capture (read+schema+hash+sign+append+index), {args.batch}-event documents: "
        f"{rate:,.0f} events/s"
    )
    ledger, build_rate = build(args.size, args.batch, args.path)
    if build_rate:
        print(f"build rate (hash+sign+append+index, no schema): {build_rate:,.0f} events/s")
    print(f"ledger: {ledger.size():,} entries")
    for depth in DEPTHS:
        target = _item(depth, depth)
        first = time.perf_counter()
        result = trace(ledger, target, "backward")  # may cut the covering checkpoint
        cold = (time.perf_counter() - first) * 1000
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            trace(ledger, target, "backward")
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        t0 = time.perf_counter()
        verify_trace(result, KEY.public_key)
        verified = (time.perf_counter() - t0) * 1000
        print(
            f"trace {depth:>2} links: {len(result['events'])} events, "
            f"{len(result['entries'])} proven entries; median {statistics.median(times):.1f} ms, "
            f"p95 {p95:.1f} ms, first {cold:.1f} ms; offline verify-trace {verified:.1f} ms"
        )
    ledger.close()


if __name__ == "__main__":
    main()
