"""Credit model speed: single-row latency, batch rate and fit time, against a plain baseline.

For the scorecard and the challenger (default settings, calibration included) on synthetic
applicants with 30 features (22 numeric, 8 categorical, 3% missing):
- fit time on 50,000 rows;
- single-row latency from features in hand (a one-row DataFrame), p50 and p99 over 2,000
  calls, for ``predict_proba`` and for ``reasons``;
- batch scoring rate (rows/s) of ``predict_proba`` on 100,000 rows.
The baseline, measured in the same run on the same rows, is scikit-learn's plain
``LogisticRegression`` on the numeric columns (NaN as 0) and the categorical codes:
its fit, its ``predict_proba`` on a 1 x 30 array, and on the 100,000 x 30 array. Ratios
are model / baseline. Figures are printed, never asserted.

Run: ``.venv/bin/python -m bench.bench_credit_models [--quick]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

N_NUMERIC, N_CATEGORICAL = 22, 8


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    z = np.full(n, -1.5)
    for j in range(N_NUMERIC):
        x = rng.normal(size=n) * (1 + j % 3)
        z += (0.25 if j < 12 else 0.0) * x / (1 + j % 3)
        columns[f"num_{j:02d}"] = x
    for j in range(N_CATEGORICAL):
        levels = [f"c{k}" for k in range(3 + 4 * j)]
        x = rng.choice(levels, n)
        effect = {c: rng.normal(0, 0.4) if j < 5 else 0.0 for c in levels}
        z += np.array([effect[c] for c in x])
        columns[f"cat_{j}"] = x.astype(object)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    frame = pd.DataFrame(columns)
    for name in frame.columns[::3]:
        frame.loc[rng.random(n) < 0.03, name] = None if name.startswith("cat") else np.nan
    return frame, y


def baseline_matrix(frame: pd.DataFrame) -> np.ndarray:
    out = np.empty(frame.shape, dtype=np.float64)
    for j, name in enumerate(frame.columns):
        column = frame[name]
        if name.startswith("cat"):
            out[:, j] = pd.Categorical(column).codes
        else:
            out[:, j] = column.fillna(0.0).to_numpy()
    return out


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def latency_ms(call: Callable[[int], object], calls: int) -> tuple[float, float]:
    for i in range(20):
        call(i)
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 99))


def main(argv: Sequence[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression

    from credit import Challenger, Scorecard

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    quick = parser.parse_args(argv).quick
    n_fit, n_batch, calls = (5_000, 10_000, 200) if quick else (50_000, 100_000, 2_000)

    X, y = make_data(n_fit, seed=1)
    batch, _ = make_data(n_batch, seed=2)
    rows = [batch.iloc[[i]] for i in range(calls)]
    base_X, base_batch = baseline_matrix(X), baseline_matrix(batch)
    base_rows = [base_batch[i : i + 1] for i in range(calls)]

    baseline = LogisticRegression(max_iter=1000)
    base_fit = timed(lambda: baseline.fit(base_X, y))
    base_p50, base_p99 = latency_ms(lambda i: baseline.predict_proba(base_rows[i]), calls)
    base_rate = n_batch / timed(lambda: baseline.predict_proba(base_batch))
    print(f"data: fit {n_fit:,} x {X.shape[1]}, batch {n_batch:,} rows, {calls:,} single calls")
    print(
        f"baseline LogisticRegression: fit {base_fit:.2f} s; single row p50 {base_p50:.3f} ms, "
        f"p99 {base_p99:.3f} ms; batch {base_rate:,.0f} rows/s"
    )
    for model in (Scorecard(), Challenger()):
        name = type(model).__name__
        fit = timed(lambda m=model: m.fit(X, y))
        p50, p99 = latency_ms(lambda i, m=model: m.predict_proba(rows[i]), calls)
        r50, r99 = latency_ms(lambda i, m=model: m.reasons(rows[i]), max(100, calls // 10))
        rate = n_batch / timed(lambda m=model: m.predict_proba(batch))
        print(
            f"{name}: fit {fit:.2f} s ({fit / base_fit:.1f}x baseline); "
            f"single row p50 {p50:.2f} ms, p99 {p99:.2f} ms ({p99 / base_p99:.1f}x baseline p99); "
            f"reasons p50 {r50:.2f} ms, p99 {r99:.2f} ms; "
            f"batch {rate:,.0f} rows/s ({base_rate / rate:.1f}x slower than baseline)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
