"""The three-flow ablation: what each flow adds to default prediction, out of time.

For each scenario (``baseline``, ``null-logistics``) and each seed, one simulated world is
generated (signed events kept in memory as the ledger would hold them); ledger features
are computed at ``--points`` as-of points by the same fold as ``credit.features.compute``,
labels by the same fold as ``read_labels`` (default, 90+ dpd or insolvency in the window
after each point). The scorecard is fitted on sellers at every point but the last and
tested on the last (out of time) on: information only, information + logistics,
information + finance, all three; the challenger on all three; and an oracle (the
challenger on the simulation's hidden state: latent scores, cash, debt, distress, fraud)
as the ceiling. Intervals are 95 % Student-t over the seeds.

Run: ``.venv/bin/python -m bench.bench_credit_ablation [--participants 300] [--months 24]
[--seeds 5]``
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from bench.bench_credit_worlds import World, mean_interval, simulate
from credit.evaluation.metrics import auc
from credit.features import names_of
from credit.features.scan import FeatureTable
from credit.scoring.training import challenger, champion

SETS = {
    "information": ("information",),
    "information + logistics": ("information", "logistics"),
    "information + finance": ("information", "finance"),
    "all three": ("information", "logistics", "finance"),
}


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _points(world: World, points: int, warmup: int, step: int) -> list[int]:
    start = world.sink.times[0]
    return [world.size_at(start + timedelta(days=warmup + i * step)) for i in range(points)]


def _sample(world: World, size: int, window: int) -> tuple[pd.DataFrame, np.ndarray, FeatureTable]:
    table = world.table(size)
    bad = world.labels(table, window)
    keep = [p for p in table.frame.index
            if table.roles.get(p) == "seller" and p not in table.bad_before]  # fmt: skip
    return table.frame.loc[keep], np.array([int(p in bad) for p in keep]), table


def _auc(y: np.ndarray, pd_bad: np.ndarray) -> float:
    return auc(y, pd_bad) if 0 < y.sum() < len(y) else math.nan


def one_world(world: World, points: int, warmup: int, step: int, window: int) -> dict[str, float]:
    parts = [_sample(world, s, window) for s in _points(world, points, warmup, step)]
    X = pd.concat([p[0] for p in parts[:-1]], ignore_index=True)
    y = np.concatenate([p[1] for p in parts[:-1]])
    X_test, y_test, test_table = parts[-1]
    out: dict[str, float] = {"train_rows": len(y), "train_bads": int(y.sum()),
                             "test_rows": len(y_test), "test_bads": int(y_test.sum())}  # fmt: skip
    if y.sum() == 0 or y_test.sum() == 0:
        return out
    for name, flows in SETS.items():
        cols = names_of(flows)
        model = champion().fit(X[cols], y)
        out[f"scorecard: {name}"] = _auc(y_test, model.predict_proba(X_test[cols])[:, 1])
    rival = challenger().fit(X, y)
    out["challenger: all three"] = _auc(y_test, rival.predict_proba(X_test)[:, 1])
    oracle_train = pd.concat(
        [world.oracle(p[2], list(p[0].index)) for p in parts[:-1]], ignore_index=True
    )
    oracle = challenger().fit(oracle_train, y)
    hidden = world.oracle(test_table, list(X_test.index))
    out["oracle: hidden state"] = _auc(y_test, oracle.predict_proba(hidden)[:, 1])
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--points", type=int, default=5)
    parser.add_argument("--warmup-days", type=int, default=120)
    parser.add_argument("--step-days", type=int, default=60)
    parser.add_argument("--window-days", type=int, default=365)
    parser.add_argument("--scenarios", default="baseline,null-logistics")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(limits=1):
        for scenario in args.scenarios.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                t0 = time.perf_counter()
                world = simulate(args.participants, args.months, seed, scenario, Path(tmp))
                events = len(world.sink.bodies)
                t1 = time.perf_counter()
                result = one_world(world, args.points, args.warmup_days, args.step_days,
                                   args.window_days)  # fmt: skip
                figures = ", ".join(f"{k} {v:.3f}" for k, v in result.items() if ":" in k)
                took = time.perf_counter() - t1
                progress(f"{scenario} seed {seed}: {events:,} events, simulated in "
                         f"{t1 - t0:.0f} s, models in {took:.0f} s: {figures}")  # fmt: skip
                rows.append({"scenario": scenario, "seed": seed, "events": events, **result})
                del world
    frame = pd.DataFrame(rows)
    models = [c for c in frame.columns if ":" in c]
    print(
        f"Three-flow ablation, out of time: {args.participants} participants x {args.months} "
        f"months, seeds {args.first_seed}..{args.first_seed + args.seeds - 1}, as-of points "
        f"every {args.step_days} days from day {args.warmup_days} ({args.points}; the last is "
        f"the test), {args.window_days}-day window; {time.perf_counter() - began:.0f} s"
    )
    print()
    print(
        "| model | "
        + " | ".join(f"{s} AUC (95 % CI over seeds)" for s in frame.scenario.unique())
        + " |"
    )
    print("| --- |" + " --- |" * frame.scenario.nunique())
    for model in models:
        cells = []
        for scenario in frame.scenario.unique():
            mean, low, high = mean_interval(frame[frame.scenario == scenario][model].tolist())
            cells.append(f"{mean:.3f} ({low:.3f} to {high:.3f})")
        print(f"| {model} | " + " | ".join(cells) + " |")
    print()
    for scenario in frame.scenario.unique():
        part = frame[frame.scenario == scenario]
        gain = (
            part["scorecard: information + logistics"] - part["scorecard: information"]
        ).tolist()
        mean, low, high = mean_interval(gain)
        print(f"{scenario}: logistics adds {mean:+.3f} AUC to information alone "
              f"(95 % CI {low:+.3f} to {high:+.3f}); test bads per world "
              f"{part.test_bads.min()}-{part.test_bads.max()}, train bads "
              f"{part.train_bads.min()}-{part.train_bads.max()}, events per world "
              f"{part.events.min():,}-{part.events.max():,}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
