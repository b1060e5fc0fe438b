"""Automatic credit decisions per second end to end over HTTP, beside a trivial FastAPI app.

On a simulated world (SQLite) with a credit model trained on it, ``threeflow serve`` (one
uvicorn worker, uvloop, httptools) answers ``POST /v1/credit/applications``: each request a
new signed ``credit.application``; the service reads the applicant's consent, scores it with
the trained model at the newest checkpoint (features and score cached per checkpoint and
applicant, as the scoring routes do: each applicant's first decision is made before the
load, one request at a time, and timed apart), reads its live fraud score (``lending.fraud``), its
exposure and defaults (``lending.credit_lines``), runs the lender's policy, appends the
application and the ``credit.decision`` signed with the lender's decision key in one unit
of work, records the read in the access log, and answers the decision. ``wrk`` loads it
with pre-signed applications (one each, never repeated) and, in the same run, the trivial
app of ``bench/trivial_app.py`` served the same way (its ``GET /health``): the ratio is what
deciding costs against doing nothing over the same HTTP stack.

Run: ``.venv/bin/python -m bench.bench_lending_http [--participants 200] [--months 12]
[--seconds 5] [--connections 8] [--applications 4000]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.bench_credit_perf import simulate
from bench.bench_http import BIN, _serve, _wrk
from credit.features import compute
from credit.scoring.training import train
from finance_api.auth import create_api_key
from finance_api.lending.decision_tables import DecisionRow
from ledger.core.events import Event, format_timestamp
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from simulations.runner import ledger_key_for
from simulations.signer import agent_key

LENDER = "lender-0001"
SELLERS = 50


def _prepare(url: str, seed: int, folder: Path, count: int) -> tuple[str, list[str]]:
    """Consents, the lender's decision key and API key; ``count`` signed applications."""
    decision_key = SigningKey.generate()
    (folder / "keys").mkdir()
    (folder / "keys" / f"{LENDER}.key").write_text(decision_key.seed.hex() + "\n")
    with Ledger.open(url, ledger_key=ledger_key_for(seed)) as ledger:
        sellers = sorted(p for p, r in compute(ledger).roles.items() if r == "seller")[:SELLERS]
        now = ledger.clock.now()
        ledger.add_key(LENDER, decision_key.public_key, now - timedelta(days=1))
        api_key = create_api_key(ledger, LENDER, "bench", now)
        ledger.append_batch([Event.create(
            agent_key(seed, s), flow="information", type="consent.granted", actor=s,
            payload={"consent_id": f"bench-{s}", "subject": s, "grantee": LENDER,
                     "scope": ["score"], "expires_at": format_timestamp(now + timedelta(days=9))},
            occurred_at=now, subjects=[LENDER]) for s in sellers])  # fmt: skip
        ledger.checkpoint()
    at = datetime.now(UTC) - timedelta(minutes=1)
    bodies = []
    for i in range(count):
        seller = sellers[i % len(sellers)]
        event = Event.create(agent_key(seed, seller), flow="finance", type="credit.application",
                             actor=seller, payload={
                                 "application_id": f"bench-app-{i}", "applicant": seller,
                                 "lender": LENDER, "product": "credit_line",
                                 "requested": {"amount_minor": 500_000 + i, "currency": "USD"}},
                             occurred_at=at, subjects=[LENDER],
                             event_id=str(uuid.uuid4()))  # fmt: skip
        bodies.append(json.dumps(event.to_json()))
    return api_key, bodies


def _script(folder: Path, api_key: str, bodies: list[str]) -> Path:
    script = folder / "apply.lua"
    items = ",\n".join(f"[[{b}]]" for b in bodies)
    script.write_text(
        f'wrk.method = "POST"\nwrk.headers["X-API-Key"] = "{api_key}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"bodies = {{{items}}}\ni = 0\n"
        "request = function()\n  i = i + 1\n  if i > #bodies then i = 1 end\n"
        '  return wrk.format("POST", "/v1/credit/applications", nil, bodies[i])\nend\n'
    )
    return script


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--applications", type=int, default=4000)
    parser.add_argument("--checkpoint-every", type=int, default=1000,
                        help="entries (the server's default 1000: a new checkpoint makes "
                        "every applicant's features be computed again)")  # fmt: skip
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="bench-decide-http-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'sim.db'}"
        print(f"simulating {args.participants} x {args.months} months", file=sys.stderr)
        simulate(url, args.participants, args.months, args.seed, folder / "truth")
        with Ledger.open(url, read_only=True) as ledger:
            trained = train(ledger, folder / "models", created_at=datetime.now(UTC))
            size = ledger.size()
        (folder / "var").mkdir()
        (folder / "var" / "ledger.key").write_text(ledger_key_for(args.seed).seed.hex() + "\n")
        (folder / "scorer.key").write_text(agent_key(args.seed, "platform-0001").seed.hex())
        api_key, bodies = _prepare(url, args.seed, folder, args.applications)
        script = _script(folder, api_key, bodies)
        # per-key rate limits off (the default, 100/s a key, would time refusals once the
        # server decides faster than that)
        env = {**os.environ, "THREEFLOW_CHECKPOINT_EVERY_SECONDS": "3600",
               "THREEFLOW_RATE_PER_SECOND": "1e9", "THREEFLOW_RATE_BURST": "1000000000",
               "THREEFLOW_CHECKPOINT_EVERY_ENTRIES": str(args.checkpoint_every),
               "THREEFLOW_CREDIT_MODEL": str(trained.folder),
               "THREEFLOW_CREDIT_SCORER_KEY_FILE": str(folder / "scorer.key"),
               "THREEFLOW_CREDIT_DECISION_KEYS_DIR": str(folder / "keys")}  # fmt: skip
        trivial, base = _serve([str(BIN / "uvicorn"), "bench.trivial_app:app", "--loop",
                                "uvloop", "--http", "httptools", "--log-level", "warning"],
                               Path.cwd(), env)  # fmt: skip
        try:
            t_rate, _, _, t_p99 = _wrk(base + "/health", args.seconds, args.connections, None)
        finally:
            trivial.terminate()
            trivial.wait()
        server, base = _serve([str(BIN / "threeflow"), "serve", "--db", url], folder, env)
        try:
            began = time.perf_counter()  # the first decision of each applicant: features
            for body in bodies[-SELLERS:]:  # and score computed, then cached per checkpoint
                warm = httpx.post(base + "/v1/credit/applications", content=body, timeout=60,
                                  headers={"X-API-Key": api_key,
                                           "Content-Type": "application/json"})  # fmt: skip
                assert warm.status_code == 201, warm.text
            cold_ms = (time.perf_counter() - began) / SELLERS * 1000
            d_rate, _, _, d_p99 = _wrk(base + "/", args.seconds, args.connections, script)
        finally:
            server.terminate()
            server.wait()
        with Ledger.open(url, read_only=True) as ledger, ledger.reading() as connection:
            decided = connection.execute(
                select(func.count()).select_from(DecisionRow).where(DecisionRow.automatic)
            ).scalar_one()
            outcomes = dict(connection.execute(
                select(DecisionRow.decision, func.count()).where(DecisionRow.automatic)
                .group_by(DecisionRow.decision)).all())  # fmt: skip
    print(f"Automatic decisions over HTTP on a simulated {args.participants}-firm, "
          f"{args.months}-month SQLite ledger ({size:,} entries); wrk -t1 "
          f"-c{args.connections} -d{args.seconds}s, one uvicorn worker, a checkpoint every "
          f"{args.checkpoint_every:,} entries")  # fmt: skip
    print(f"  trivial FastAPI GET /health        {t_rate:8,.0f} req/s  p99 {t_p99:7.1f} ms")
    print(f"  POST /v1/credit/applications       {d_rate:8,.0f} decisions/s  p99 {d_p99:7.1f} ms"
          f"  ({d_rate / t_rate:.1%} of trivial)")  # fmt: skip
    print(f"  an applicant's first decision at a checkpoint (features and score computed, one "
          f"request at a time): {cold_ms:.0f} ms")  # fmt: skip
    print(f"  automatic decisions on the ledger: {decided:,} ({outcomes}); "
          f"{len(bodies):,} applications were signed")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
