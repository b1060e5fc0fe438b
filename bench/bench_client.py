"""The participant's client submitting batches over HTTP, beside the library's own append.

The same signed listings (one participant, batches of 500) go once through
``ThreeflowClient.submit`` to ``threeflow serve`` (uvicorn, uvloop, httptools, one worker, on
loopback, its own SQLite file) — signing, JSON, HTTP, the server's checks, the append, the
signed receipts and their verification by the client — and once through
``Ledger.append_batch`` into another fresh file, in the same run. A third set goes to the
same server as bodies serialised beforehand, posted one after another with nothing done
with the answers: the endpoint's own rate, without the client's work on the same cores.
The last line gives CPU per event: the library's (all its threads) and the server's over
those raw posts (its process and any it started, from /proc): moved less than the clock
by other work on the same cores, and the clock ratio moves with what the library's threads
get of the second core.

With ``--workers N``, the server runs N uvicorn worker processes (``threeflow serve --workers
N``, each free to run on any CPU, as the library's threads are) and the raw posts come from
2N connections at once (``--connections``), each posting its share of the batches one after
another: a deployment that uses the machine's cores, against the library that uses them too.

With ``--in-process``, the endpoint's handler alone is called beside the library in one
process, by the clock and per CPU second of the process (the second is moved less by other
work on the same cores).

Run: ``.venv/bin/python -m bench.bench_client [--events 20000] [--workers 1] [--in-process]``
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

from bench.bench_http import cpu_seconds
from finance_api.auth import create_api_key
from finance_api.client import ThreeflowClient
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger

BATCH = 500
PRICE = {"amount_minor": 1200, "currency": "USD"}


def _listings(key: SigningKey, count: int) -> list[Event]:
    at = datetime.now(UTC) - timedelta(hours=1)
    return [
        Event.create(
            key,
            flow="information",
            type="listing.published",
            actor="seller-b",
            payload={"listing_id": f"l-{n}", "sku": "s", "price": PRICE, "seller": "seller-b"},
            occurred_at=at,
        )
        for n in range(count)
    ]


def _ledger(url: str, key: SigningKey) -> Ledger:
    ledger = Ledger.open(url, ledger_key=SigningKey(bytes(32)))
    ledger.register_participant("seller-b", "Seller", ["seller"], "CN", key.public_key,
                                datetime.now(UTC) - timedelta(days=1))  # fmt: skip
    return ledger


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument(
        "--in-process", action="store_true",
        help="the endpoint's handler called in process, beside the library, by the clock "
        "and per CPU second (no HTTP, no client: what the server does with a batch)",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--connections", type=int, default=0,
        help="connections posting the raw batches at once (default: one, two a worker with "
        "several: the kernel hands a connection to whichever worker takes it first)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 8 or not 0 <= args.connections <= 16:
        parser.error("--workers: 1 to 8; --connections: 1 to 16 (0: the default)")
    connections = args.connections or (1 if args.workers == 1 else 2 * args.workers)
    key = SigningKey.generate()
    events = _listings(key, args.events)
    if args.in_process:
        return _in_process(key, events)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        library = _ledger(f"sqlite:///{folder / 'library.db'}", key)
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(events), BATCH):
            library.append_batch(events[i : i + BATCH])
        library_rate = len(events) / (time.perf_counter() - start)
        library_cpu = time.process_time() - cpu
        library.close()

        served_db = f"sqlite:///{folder / 'served.db'}"
        with _ledger(served_db, key) as ledger:
            api_key = create_api_key(ledger, "seller-b", "bench", datetime.now(UTC))
            ledger.checkpoint()
        (folder / "var").mkdir()
        (folder / "var" / "ledger.key").write_text(bytes(32).hex() + "\n")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "threeflow"), "serve", "--db", served_db,
             "--port", str(port), "--workers", str(args.workers)], cwd=folder,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(url + "/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            pinned = SigningKey(bytes(32)).public_key
            client = ThreeflowClient(
                url, participant_id="seller-b", signing_key=key, api_key=api_key,
                ledger_key=pinned,
            )  # fmt: skip
            start = time.perf_counter()
            for i in range(0, len(events), BATCH):
                client.submit(events[i : i + BATCH])
            client_rate = len(events) / (time.perf_counter() - start)
            client.close()
            server_cpu = _cpu_seconds(server.pid)
            raw_rate = _post_raw(url, api_key, _listings(key, args.events), connections)
            server_cpu = _cpu_seconds(server.pid) - server_cpu
        finally:
            server.terminate()
            server.wait(timeout=20)
    served = f"{args.workers} workers" if args.workers > 1 else "one worker"
    served += f", {connections} connections posting" if connections > 1 else ""
    print(f"{len(events)} signed events in batches of {BATCH}, SQLite, the server on {served}:")
    print(f"  library Ledger.append_batch       {library_rate:9,.0f} events/s")
    print(f"  client over HTTP (threeflow serve) {client_rate:9,.0f} events/s"
          f"   {client_rate / library_rate:.0%} of the library")  # fmt: skip
    print(f"  POST /v1/events, bodies made before {raw_rate:9,.0f} events/s"
          f"   {raw_rate / library_rate:.0%} of the library")  # fmt: skip
    per_event = 1e6 / len(events)
    print(f"  CPU per event: library {library_cpu * per_event:5.0f} µs (all its threads), "
          f"server {server_cpu * per_event:5.0f} µs (its processes, raw posts)")  # fmt: skip
    return 0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds so far of process ``pid``, its threads and the processes
    it started (its signature process), as far as they still run (Linux)."""
    children = {
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    }
    return cpu_seconds(pid) + sum(_cpu_seconds(child) for child in children)


def _in_process(key: SigningKey, events: list[Event]) -> int:
    """``Ledger.append_batch`` beside the ``POST /v1/events`` handler fed the same batches
    as bytes (fresh events, a fresh file each), by the clock and per CPU second."""
    from finance_api.routers.participants import _post
    from ledger.core.access import Caller

    caller = Caller("seller-b", frozenset({"seller"}))
    bodies = [
        orjson.dumps({"events": [e.to_json() for e in batch]})
        for batch in (_listings(key, BATCH) for _ in range(0, len(events), BATCH))
    ]
    rates = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("library", "handler"):
            ledger = _ledger(f"sqlite:///{Path(tmp) / name}.db", key)
            start, cpu = time.perf_counter(), time.process_time()
            if name == "library":
                for i in range(0, len(events), BATCH):
                    ledger.append_batch(events[i : i + BATCH])
            else:
                for body in bodies:
                    status, _ = _post(ledger, caller, body, None)
                    if status != 201:
                        raise SystemExit(f"the handler answered {status}")
            rates[name] = (
                len(events) / (time.perf_counter() - start),
                len(events) / (time.process_time() - cpu),
            )
            ledger.close()
    (lib, lib_cpu), (handler, handler_cpu) = rates["library"], rates["handler"]
    print(f"{len(events)} signed events in batches of {BATCH}, SQLite, in process:")
    print(f"  library Ledger.append_batch   {lib:9,.0f} events/s  {lib_cpu:9,.0f} per CPU second")
    print(f"  POST /v1/events handler        {handler:9,.0f} events/s  {handler_cpu:9,.0f} "
          f"per CPU second   {handler / lib:.0%} / {handler_cpu / lib_cpu:.0%} "
          "of the library")  # fmt: skip
    return 0


def _post_raw(url: str, api_key: str, events: list[Event], connections: int = 1) -> float:
    """Events/s of ``POST /v1/events`` fed serialised batches, one request at a time on each
    of ``connections`` connections (the batches dealt out among them)."""
    bodies = [
        orjson.dumps({"events": [e.to_json() for e in events[i : i + BATCH]]})
        for i in range(0, len(events), BATCH)
    ]
    headers = {"X-API-Key": api_key, "Content-Type": "application/json"}

    def post(share: list[bytes]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for body in share:
                answer = http.post("/v1/events", content=body)
                if answer.status_code != 201:
                    raise SystemExit(
                        f"POST /v1/events answered {answer.status_code}: {answer.text}"
                    )

    shares = [bodies[n::connections] for n in range(connections)]
    start = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        for done in [pool.submit(post, share) for share in shares]:
            done.result()
    return len(events) / (time.perf_counter() - start)


if __name__ == "__main__":
    raise SystemExit(main())
