"""Automatic decisions per second in the library: live fraud score, facts, policy, event.

On a simulated ledger (SQLite), each of the world's credit applications is decided again:
the live fraud score from the ``lending.fraud`` projection, the applicant's exposure and
active defaults from the credit-line projection, the policy engine over a fixed assessment
(the credit scorer is not in this loop: it is measured by the credit benchmarks), and the
``credit.decision`` event signed by the lender and appended, one unit of work each. The
baseline, in the same run and the same ledger, appends one small signed event per unit of
work (an ``order.accepted`` by the same lender's counterpart), so the ratio is what deciding
adds to an append. Not measured here: HTTP, and the credit features and score.

Run: ``.venv/bin/python -m bench.bench_lending_decisions [--participants 300] [--months 6]
[--decisions 500]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from finance_api.lending.decisions import decision_event
from finance_api.lending.fraud_live import fraud_for
from finance_api.lending.fraud_tables import ApplicationSeen
from finance_api.lending.rules.policy import FixedAssessment
from finance_api.lending.underwrite import automatic_decision
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from simulations.config import SimulationConfig
from simulations.runner import run_simulation
from simulations.signer import agent_key


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 100 else max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--decisions", type=int, default=500)
    args = parser.parse_args()
    config = SimulationConfig(participants=args.participants, months=args.months, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-decisions-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'world.db'}"
        ledger = Ledger.open(url, ledger_key=SigningKey(bytes(range(32))))
        try:
            run_simulation(config, ledger, Path(tmp) / "truth", progress=False)
            with ledger.reading() as connection:
                apps = connection.execute(
                    select(ApplicationSeen.seq, ApplicationSeen.applicant, ApplicationSeen.lender,
                           ApplicationSeen.occurred_at).order_by(ApplicationSeen.seq)
                ).all()[-args.decisions:]  # fmt: skip
            assessment = FixedAssessment(pd_ppm=30_000, score=620, model_version="bench")
            decide_ms: list[float] = []
            for seq, applicant, lender, at in apps:
                began = time.perf_counter()
                with ledger.reading() as connection:
                    fraud = fraud_for(connection, applicant, lender, at)
                    decision = automatic_decision(connection, f"bench-{seq}", applicant,
                                                  lender, 500_000, assessment, fraud,
                                                  2_000_000)  # fmt: skip
                ledger.append(decision_event(decision, agent_key(args.seed, lender),
                                             at + timedelta(seconds=1)))  # fmt: skip
                decide_ms.append((time.perf_counter() - began) * 1000)
            base_ms: list[float] = []
            for seq, applicant, _, at in apps:
                began = time.perf_counter()
                event = Event.create(agent_key(args.seed, applicant), flow="information",
                                     type="order.accepted", actor=applicant,
                                     payload={"order_id": f"bench-{seq}", "seller": applicant},
                                     occurred_at=at + timedelta(seconds=2),
                                     event_id=str(uuid.uuid4()))  # fmt: skip
                ledger.append(event)
                base_ms.append((time.perf_counter() - began) * 1000)
        finally:
            ledger.close()
    n = len(decide_ms)
    rate, base = n / (sum(decide_ms) / 1000), n / (sum(base_ms) / 1000)
    print(f"{n} decisions on a {args.participants}-firm, {args.months}-month world (SQLite)")
    print(f"decide and record: {rate:,.0f}/s, p50 {statistics.median(decide_ms):.2f} ms, "
          f"p99 {_p99(decide_ms):.2f} ms")  # fmt: skip
    print(f"baseline (one small signed append): {base:,.0f}/s, p50 "
          f"{statistics.median(base_ms):.2f} ms, p99 {_p99(base_ms):.2f} ms; "
          f"ratio {rate / base:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
