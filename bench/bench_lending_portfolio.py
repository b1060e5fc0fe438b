"""Lender portfolio loss with and without the automatic decisions, at the same approval rate.

A simulated world (SQLite) writes its applications and, later, the defaults, 90-day past-due
reports and insolvencies of the applicants. The credit model is trained on as-of points
whose label windows all end before the evaluation period begins (no outcome of an evaluated
application is seen in training). Every application of the evaluation period is decided
again by the automatic engine with the lender's default policy: the fraud score as of its
moment (the one-pass scan of logins and applications), the PD and reasons from the trained
model and the six months' revenue from the features at the start of its month, the
active-default knock-out from the same point (already bad there). The engine approves k of
the N, each for the limit its formula gives (at most what was asked); at the same k the
baselines approve at random (mean and 5-95% over 500 draws), first
come first served, and the k lowest PDs alone. An approved applicant that went bad within
``--performance-days`` after the month's start (the ledger's own labels,
``credit.features.labels``) loses what it was lent (the engine's limit; for the baselines
the amount asked) times the LGD; referrals count as not approved. Not replayed: this
lender's exposure at the time (the engine reads it live).

Run: ``.venv/bin/python -m bench.bench_lending_portfolio [--participants 400] [--months 24]
[--seed 11] [--performance-days 180] [--fraud-share 0.15] [--warmup-days 60] [--step-days 30]``
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, select

from credit.features import compute
from credit.features.labels import read_labels
from credit.scoring.points import plan
from credit.scoring.scorer import Scorer, load
from credit.scoring.training import train
from finance_api.lending.assessments import from_score
from finance_api.lending.decision_tables import ApplicationRow
from finance_api.lending.fraud_scan import scan
from finance_api.lending.rules.adverse import FEATURE_CODES
from finance_api.lending.rules.policy import Application, decide
from ledger.log import Ledger
from ledger.storage.models import Entry
from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.runner import ledger_key_for, run_simulation, simulation_clock


def simulate(url: str, args: argparse.Namespace, truth: Path) -> None:
    """A world where credit starts early and defaults show within the run (lenders ask one
    month of history; more bust-out fraudsters than the default, spread over the run)."""
    config = SimulationConfig(
        participants=args.participants, months=args.months, seed=args.seed,
        credit=CreditConfig(history_months=(1, 1), write_off_days=30, recovery_days=(5, 25)),
        fraud=FraudConfig(seller_share=args.fraud_share, buyer_share=0.05,
                          spread_months=max(1, args.months - 6)),
    )  # fmt: skip
    clock = simulation_clock(config)
    with Ledger.open(url, ledger_key=ledger_key_for(args.seed), clock=clock) as ledger:
        run_simulation(config, ledger, truth, progress=False, clock=clock)


def _asked(ledger: Ledger) -> dict[str, int]:
    """application id -> amount asked (the ``lending.decisions`` projection)."""
    with ledger.reading() as connection:
        rows = connection.execute(
            select(ApplicationRow.application_id, ApplicationRow.requested_minor)
        ).all()
    return {str(i): int(amount) for i, amount in rows}


def _size_at(ledger: Ledger, moment: datetime) -> int:
    with ledger.reading() as connection:
        seq = connection.execute(
            select(func.max(Entry.seq)).where(Entry.recorded_at < moment)
        ).scalar_one()
    return int(seq) + 1


@dataclass(frozen=True, slots=True)
class Replayed:
    shown: dict[str, Any] | None  # the scorer's answer (None: no file at that month)
    revenue_6m: int
    in_default: bool  # already bad at the month's as-of point (the active-default knock-out)
    went_bad: bool  # a default, 90+ days past due or insolvency within the window after


def _replay(ledger: Ledger, scorer: Scorer, apps: list[Any], window: int) -> dict[str, Replayed]:
    """Per application: features, score and labels at the start of its month."""
    months: dict[datetime, list[Any]] = defaultdict(list)
    for a in apps:
        months[a.at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)].append(a)
    out: dict[str, Replayed] = {}
    for month, group in sorted(months.items()):
        who = sorted({a.applicant for a in group})
        table = compute(ledger, _size_at(ledger, month), who)
        bad = read_labels(ledger, table, window).bad
        known = [p for p in who if p in table.frame.index]
        shown = {r["participant"]: r for r in scorer.score_table(table, known)} if known else {}
        for a in group:
            value = (float(table.frame.at[a.applicant, "info_order_value_90d"])
                     if a.applicant in shown else 0.0)  # fmt: skip
            out[a.application_id] = Replayed(shown.get(a.applicant), max(0, round(value * 200)),
                                             a.applicant in table.bad_before,
                                             a.applicant in bad)  # fmt: skip
    return out


def _book(chosen: list[str], loss: dict[str, int], asked: dict[str, int]) -> tuple[int, int, int]:
    """(amounts asked, losses, applicants that went bad) of the approved applications."""
    return (sum(asked[a] for a in chosen), sum(loss[a] for a in chosen),
            sum(1 for a in chosen if loss[a] > 0))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=400)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--performance-days", type=int, default=180)
    parser.add_argument("--warmup-days", type=int, default=60, help="of the training plan")
    parser.add_argument("--step-days", type=int, default=30, help="of the training plan")
    parser.add_argument("--fraud-share", type=float, default=0.15, help="of sellers")
    parser.add_argument("--lgd-bp", type=int, default=4_500)
    parser.add_argument("--db", help="a SQLite file: the world is simulated into it once, "
                        "then reused (same arguments)")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-portfolio-") as tmp:
        folder = Path(tmp)
        path = Path(args.db) if args.db else folder / "world.db"
        url = f"sqlite:///{path}"
        if not path.exists():
            began = time.perf_counter()
            simulate(url, args, folder / "truth")
            print(f"simulated {args.participants} firms x {args.months} months in "
                  f"{time.perf_counter() - began:.0f} s")  # fmt: skip
        with Ledger.open(url, read_only=True) as ledger:
            window = args.performance_days
            the_plan = plan(ledger, points=3, step_days=args.step_days,
                            warmup_days=args.warmup_days, window_days=window)  # fmt: skip
            trained = train(ledger, folder / "models", created_at=datetime.now(UTC),
                            the_plan=the_plan)  # fmt: skip
            scorer = Scorer(load(trained.folder))
            start = the_plan.times[-2] + timedelta(days=the_plan.window_days)
            with ledger.reading() as connection:
                end = connection.execute(select(func.max(Entry.recorded_at))).scalar_one()
                _, scored = scan(connection)
            end -= timedelta(days=window)
            apps = [s for s in scored if start <= s.at <= end]
            replayed = _replay(ledger, scorer, apps, window)
            requested = _asked(ledger)
    asked = {a.application_id: requested[a.application_id] for a in apps}
    loss = {i: asked[i] * args.lgd_bp // 10_000 if r.went_bad else 0
            for i, r in replayed.items()}  # fmt: skip
    outcomes: dict[str, str] = {}
    granted: dict[str, int] = {}  # the engine's limit, at most what was asked
    for a in apps:
        r = replayed[a.application_id]
        if r.shown is None:
            outcomes[a.application_id] = "refer"
            continue
        application = Application(a.application_id, a.applicant, a.lender,
                                  asked[a.application_id],
                                  revenue_6m=r.revenue_6m, active_default=r.in_default,
                                  fraud_points=a.fraud.points,
                                  fraud_reasons=a.fraud.reasons)  # fmt: skip
        decision = decide(application, from_score(r.shown, FEATURE_CODES))
        outcomes[a.application_id] = decision.outcome
        granted[a.application_id] = decision.limit
    ids = [a.application_id for a in apps]  # in ledger order: first come first
    approved = [i for i in ids if outcomes[i] == "approve"]
    k, n = len(approved), len(ids)
    pd_of = {i: (replayed[i].shown or {}).get("pd_ppm", 1_000_000) for i in ids}
    rng = random.Random(args.seed)
    draws = [_book(rng.sample(ids, k), loss, asked) for _ in range(500)]
    at_limit = {i: granted[i] * args.lgd_bp // 10_000 if replayed[i].went_bad else 0
                for i in granted}  # fmt: skip
    books = {
        "automatic decisions": _book(approved, at_limit, granted),
        "  the same, lent as asked": _book(approved, loss, asked),
        "first come, first served": _book(ids[:k], loss, asked),
        "lowest PD alone": _book(sorted(ids, key=pd_of.__getitem__)[:k], loss, asked),
        "at random (mean of 500)": tuple(np.mean(draws, axis=0)),
    }
    lo, hi = np.percentile([d[1] for d in draws], [5, 95])
    labels = [int(replayed[i].went_bad) for i in ids]
    fraud_of = {a.application_id: a.fraud.points for a in apps}
    both = 0 < sum(labels) < n
    auc_pd = roc_auc_score(labels, [pd_of[i] for i in ids]) if both else float("nan")
    auc_fraud = roc_auc_score(labels, [fraud_of[i] for i in ids]) if both else float("nan")
    every = _book(ids, loss, asked)
    print(f"{n:,} applications, {start:%Y-%m-%d} to {end:%Y-%m-%d} "
          f"(model trained on labels up to {start:%Y-%m-%d}); the engine approves {k:,} "
          f"({k / n:.0%}), refers {sum(o == 'refer' for o in outcomes.values()):,}, declines "
          f"{sum(o == 'decline' for o in outcomes.values()):,}")  # fmt: skip
    print(f"approving every one: loss ${every[1] / 100:,.0f} on ${every[0] / 100:,.0f} asked "
          f"({every[1] / every[0]:.2%}); loss = amount asked x LGD {args.lgd_bp / 100:.0f}% when "
          f"the applicant went bad within {window} days")  # fmt: skip
    base = books["at random (mean of 500)"][1]
    for name, (limits, losses, bad) in books.items():
        print(f"  {name:26s} loss ${losses / 100:12,.0f}  lent ${limits / 100:13,.0f}  "
              f"({losses / limits if limits else 0:6.2%})  went bad {bad:5.0f}  "
              f"x{losses / base if base else 0:.2f} of random")  # fmt: skip
    print(f"  random approvals' loss, 5-95%: ${lo / 100:,.0f} to ${hi / 100:,.0f}")
    print(f"{sum(labels)} of {n} applicants went bad; AUC on them of the PD {auc_pd:.3f}, of the "
          f"fraud score {auc_fraud:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
