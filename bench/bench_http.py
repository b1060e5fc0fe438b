"""HTTP throughput and tail latency of threeflow's routes beside a trivial FastAPI endpoint.

Both apps are served the same way — uvicorn, one worker, uvloop and httptools, on loopback —
and loaded from a second process by ``wrk`` (Debian package ``wrk``) with the same
connections and duration, in the same run. The ledger holds ``--size`` entries with signed
checkpoints; proofs are asked for random entries in the latest checkpoint's tree.

Targets: ``/health`` and ``/v1/checkpoints/latest`` at >= 80% of the trivial endpoint's
requests/s, proofs at >= 50%, p99 < 50 ms.

Run: ``.venv/bin/python -m bench.bench_http [--size 100000] [--seconds 10] [--connections 32]``
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
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench.data import ensure_ledgers, ledger_key, progress

BIN = Path(sys.executable).parent


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    process = subprocess.Popen([*args, "--port", str(port)], cwd=cwd, env=env,
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


def _wrk(url: str, seconds: int, connections: int, script: Path | None) -> tuple[float, float]:
    args = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script is not None:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    refused = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if refused is not None:  # a rate of refusals is not the rate of the route
        raise SystemExit(f"{url}: {refused.group(1)} answers were not 2xx\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rate, float(p99.group(1)) * scale


def _proof_script(folder: Path, size: int) -> Path:
    """2,000 entries asked in turn: after the first round, proofs the server served before."""
    seqs = random.Random(7).sample(range(size), min(size, 2000))
    lines = ",".join(f'"/v1/proofs/inclusion?seq={s}&tree_size={size}"' for s in seqs)
    script = folder / "proofs.lua"
    script.write_text(
        f"paths = {{{lines}}}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\nend\n"
    )
    return script


def _fresh_proof_script(folder: Path, size: int) -> Path:
    """Each request a different entry, in an order no cache has seen: every proof is made."""
    script = folder / "fresh.lua"
    script.write_text(
        f"i = 0\nrequest = function()\n  i = (i + 7919) % {size}\n"
        f'  return wrk.format(nil, "/v1/proofs/inclusion?seq=" .. i .. "&tree_size={size}")\n'
        "end\n"
    )
    return script


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    db = ensure_ledgers([args.size])[args.size]
    env = {**os.environ, "THREEFLOW_CHECKPOINT_EVERY_SECONDS": "3600"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "var").mkdir()
        (folder / "var" / "ledger.key").write_text(ledger_key().seed.hex() + "\n")
        copy = folder / "ledger.db"
        shutil.copy(db, copy)
        results: dict[str, tuple[float, float]] = {}
        trivial, url = _serve(
            [str(BIN / "uvicorn"), "bench.trivial_app:app", "--loop", "uvloop", "--http",
             "httptools", "--log-level", "warning"], Path.cwd(), env,
        )  # fmt: skip
        try:
            results["trivial FastAPI /health"] = _wrk(url + "/health", args.seconds,
                                                      args.connections, None)  # fmt: skip
        finally:
            trivial.terminate()
            trivial.wait()
        server, url = _serve([str(BIN / "threeflow"), "serve", "--db", f"sqlite:///{copy}"],
                             folder, env)  # fmt: skip
        try:
            size = httpx.get(url + "/v1/checkpoints/latest").json()["tree_size"]
            script = _proof_script(folder, size)
            for name, path, lua in (
                ("threeflow /health", "/health", None),
                ("threeflow /v1/checkpoints/latest", "/v1/checkpoints/latest", None),
                ("threeflow proofs, each made (no repeat)", "/", _fresh_proof_script(folder, size)),
                ("threeflow proofs, 2,000 entries in turn", "/", script),
            ):
                progress(f"loading {name}")
                results[name] = _wrk(url + path, args.seconds, args.connections, lua)
        finally:
            server.terminate()
            server.wait()
    base = results["trivial FastAPI /health"][0]
    print(f"HTTP on loopback, 1 uvicorn worker (uvloop, httptools), wrk -t1 "
          f"-c{args.connections} -d{args.seconds}s, ledger of {args.size} entries")  # fmt: skip
    for name, (rate, p99) in results.items():
        print(f"  {name:36s} {rate:9,.0f} req/s  {rate / base:5.0%} of trivial  p99 {p99:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
