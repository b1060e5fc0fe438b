"""The fraud score on a simulated world: AUC, and fraud losses stopped at a review rate.

A simulation writes its signed year into a fresh SQLite ledger (with more bust-out
fraudsters than the default, so there are enough to measure) and its ground truth beside
it. The fraud scan then scores every ``credit.application`` in one pass over the ledger's
logins and applications, each on what was known at its moment. Against the truth's fraud
labels (``participants.parquet``) and each facility's loss (``loans.parquet``, by
application id) it reports the AUC of the score and of each signal alone (the velocity rule
alone is the baseline), and the share of fraud losses that would have been stopped had the
applications with the highest scores been sent to review, at a fixed review rate. Speed is
the scan against a bare read of the same rows in the same run, and a live score (the
``lending.fraud`` projection's five reads, as at application time) against one registry read.

Run: ``.venv/bin/python -m bench.bench_lending_fraud [--participants 1000] [--months 12]
[--seed 3] [--review-rate 0.05] [--fraud-share 0.10] [--skip-projection NAME]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score
from sqlalchemy import create_engine, select

from finance_api.lending.fraud_live import fraud_for
from finance_api.lending.fraud_scan import TYPES, ScoredApplication, scan
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.storage.db import make_engines, migrate
from ledger.storage.models import Entry, Participant
from ledger.storage.projections import Projectors
from simulations.config import FraudConfig, SimulationConfig
from simulations.runner import run_simulation


def _simulate(folder: Path, participants: int, months: int, seed: int, share: float,
              skip: Sequence[str] = ()) -> str:  # fmt: skip
    url = f"sqlite:///{folder / 'world.db'}"
    fraud = FraudConfig(seller_share=share, buyer_share=0.03, spread_months=max(1, months // 2))
    config = replace(SimulationConfig(participants=participants, months=months, seed=seed),
                     fraud=fraud)  # fmt: skip
    engines = make_engines(url)
    migrate(engines)
    projectors = [p for p in Projectors.installed() if p.name not in skip]
    ledger = Ledger(engines, ledger_key=SigningKey(bytes(range(32))), projectors=projectors)
    try:
        run_simulation(config, ledger, folder / "truth", progress=False)
    finally:
        ledger.close()
    return url


def _bare_read(url: str) -> tuple[int, float]:
    engine = create_engine(url)
    began = time.perf_counter()
    with engine.connect() as connection:
        rows = connection.execute(
            select(Entry.seq, Entry.type, Entry.occurred_at, Entry.canonical)
            .where(Entry.type.in_(TYPES))
            .order_by(Entry.seq)
            .execution_options(yield_per=5_000)
        )
        count = sum(1 for _, _, _, canonical in rows if json.loads(canonical))
    elapsed = time.perf_counter() - began
    engine.dispose()
    return count, elapsed


def _scored(url: str) -> tuple[list[ScoredApplication], float]:
    engine = create_engine(url)
    began = time.perf_counter()
    with engine.connect() as connection:
        _, scored = scan(connection)
    elapsed = time.perf_counter() - began
    engine.dispose()
    return scored, elapsed


def _live(url: str, scored: list[ScoredApplication], count: int = 300) -> tuple[float, float]:
    """Milliseconds per live fraud score (projection reads) and per bare registry read."""
    engine = create_engine(url)
    sample = scored[-count:]
    with engine.connect() as connection:
        began = time.perf_counter()
        for s in sample:
            fraud_for(connection, s.applicant, s.lender, s.at)
        live = (time.perf_counter() - began) / len(sample) * 1000
        began = time.perf_counter()
        for s in sample:
            connection.execute(select(Participant.country).where(Participant.id == s.applicant))
        bare = (time.perf_counter() - began) / len(sample) * 1000
    engine.dispose()
    return live, bare


def _stopped(frame: pd.DataFrame, score: str, rate: float) -> tuple[float, float]:
    """Shares of fraud losses and of all credit losses in the top ``rate`` of applications."""
    reviewed = frame.nlargest(max(1, round(rate * len(frame))), score)
    fraud_loss = frame.loc[frame.fraud, "loss"].sum()
    all_loss = frame["loss"].sum()
    caught = reviewed.loc[reviewed.fraud, "loss"].sum()
    return (caught / fraud_loss if fraud_loss else 0.0,
            reviewed["loss"].sum() / all_loss if all_loss else 0.0)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--review-rate", type=float, default=0.05)
    parser.add_argument("--fraud-share", type=float, default=0.10, help="of sellers")
    parser.add_argument(
        "--skip-projection",
        action="append",
        default=[],
        help="leave an installed projection out (one that refuses the world)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fraud-") as tmp:
        folder = Path(tmp)
        began = time.perf_counter()
        url = _simulate(
            folder,
            args.participants,
            args.months,
            args.seed,
            args.fraud_share,
            args.skip_projection,
        )
        print(f"simulated {args.participants} firms x {args.months} months in "
              f"{time.perf_counter() - began:.0f} s")  # fmt: skip
        rows, bare = _bare_read(url)
        scored, took = _scored(url)
        live, one_read = _live(url, scored)
        people = pd.read_parquet(folder / "truth" / "participants.parquet")
        loans = pd.read_parquet(folder / "truth" / "loans.parquet")
    fraud = dict(zip(people.participant_id, people.fraud, strict=True))
    loss = loans.groupby("application_id")["loss_minor"].sum().to_dict()
    frame = pd.DataFrame({
        "applicant": [s.applicant for s in scored],
        "score": [s.fraud.points for s in scored],
        **{name: [s.fraud.signals[name] for s in scored] for name in scored[0].fraud.signals},
    })  # fmt: skip
    frame["fraud"] = frame.applicant.map(fraud).fillna(False).astype(bool)
    frame["loss"] = [loss.get(s.application_id, 0) for s in scored]
    print(f"{len(frame):,} applications, {frame.fraud.mean():.1%} by fraudsters; "
          f"scan of {rows:,} login and application entries {took:.2f} s "
          f"({rows / took:,.0f} entries/s) against a bare read {bare:.2f} s: "
          f"x{took / bare:.2f}")  # fmt: skip
    print(
        f"live score at application time (lending.fraud projection): {live:.2f} ms, "
        f"against {one_read:.2f} ms for one registry read: x{live / one_read:.1f}"
    )
    print(f"\nAUC of the fraud score: {roc_auc_score(frame.fraud, frame.score):.3f}")
    for name in scored[0].fraud.signals:
        auc = roc_auc_score(frame.fraud, frame[name]) if frame[name].nunique() > 1 else 0.5
        print(f"  {name:26s} alone: {auc:.3f}")
    for rate in sorted({args.review_rate, 0.02, 0.10}):
        fraud_share, all_share = _stopped(frame, "score", rate)
        base, _ = _stopped(frame, "application_velocity", rate)
        print(f"review {rate:.0%} of applications: fraud losses stopped {fraud_share:.1%} "
              f"(velocity rule alone {base:.1%}); all credit losses {all_share:.1%}")  # fmt: skip
    print(f"fraud losses in the world: ${frame.loc[frame.fraud, 'loss'].sum() / 100:,.0f} of "
          f"${frame['loss'].sum() / 100:,.0f} credit losses")  # fmt: skip


if __name__ == "__main__":
    main()
