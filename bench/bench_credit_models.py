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
are model / baseline. Figures are printed, never asserted. Everything runs on one thread
(BLAS and OpenMP limited to 1): the machine's two cores are shared, and spinning OpenMP
threads under contention made boosting fits several times slower than one thread.

With ``--quality`` it also prints out-of-fold AUC and Brier of each model and each
calibration (platt, isotonic, none), with the reliability table's mean and worst gap
between observed and predicted PD over ten equal-count bins, next to a one-hot logistic
regression, on two
synthetic data sets shaped like public ones (German credit: 1,000 rows, 20 mixed columns;
Taiwan default: 30,000 rows, 23 columns), since no public data can be downloaded here.

Run: ``.venv/bin/python -m bench.bench_credit_models [--quick] [--quality]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from credit import Challenger, Scorecard

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


def german_like(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """20 columns like the German credit data: 7 numeric, 13 categorical, ~30% bad."""
    rng = np.random.default_rng(seed)
    levels = {
        "checking": 4, "history": 5, "purpose": 10, "savings": 5, "employment": 5,
        "personal": 4, "debtors": 3, "property": 4, "other_plans": 3, "housing": 3,
        "job": 4, "telephone": 2, "foreign": 2,
    }  # fmt: skip
    frame = pd.DataFrame(
        {
            "duration": rng.choice(
                [6, 12, 18, 24, 36, 48, 60], n, p=[0.1, 0.3, 0.15, 0.2, 0.15, 0.07, 0.03]
            ),
            "amount": np.exp(rng.normal(7.8, 0.8, n)).round(),
            "age": rng.gamma(6, 6, n).clip(19, 75).round(),
            "installment_rate": rng.integers(1, 5, n),
            "residence": rng.integers(1, 5, n),
            "existing_credits": rng.choice([1, 2, 3, 4], n, p=[0.6, 0.3, 0.07, 0.03]),
            "dependents": rng.choice([1, 2], n, p=[0.85, 0.15]),
        }
    )
    z = -0.8 + 0.03 * (frame["duration"] - 20) + 0.3 * (np.log(frame["amount"]) - 7.8)
    z += 0.0015 * (frame["age"] - 35) ** 2 - 0.01 * (frame["age"] - 35)
    for name, k in levels.items():
        codes = rng.integers(0, k, n)
        effect = rng.normal(0, 0.5 if name in ("checking", "history", "savings") else 0.15, k)
        z += effect[codes]
        if name == "checking":
            z += 0.02 * (codes == 0) * (frame["duration"] - 20)
        frame[name] = [f"{name[:3]}{c}" for c in codes]
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return frame, y


def taiwan_like(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """23 columns like the Taiwan default data: pay status, bills, payments; ~22% bad."""
    rng = np.random.default_rng(seed)
    limit = np.exp(rng.normal(11.8, 0.8, n)).round(-3)
    frame = pd.DataFrame(
        {
            "limit": limit,
            "sex": rng.choice(["m", "f"], n),
            "education": rng.choice(
                ["grad", "uni", "high", "other"], n, p=[0.35, 0.47, 0.16, 0.02]
            ),
            "marriage": rng.choice(["married", "single", "other"], n, p=[0.45, 0.53, 0.02]),
            "age": rng.gamma(9, 4, n).clip(21, 79).round(),
        }
    )
    late = rng.poisson(0.4, n)
    z = -1.6 - 0.35 * (np.log(limit) - 11.8)
    for k in range(6):
        status = np.clip(late + rng.integers(-1, 2, n) - (k > 2), -2, 8)
        frame[f"pay_{k}"] = status
        z += (0.9 if k == 0 else 0.15) * (status >= 1) + (0.1 if k == 0 else 0.02) * status
    for k in range(6):
        bill = limit * rng.beta(2, 3, n)
        paid = bill * rng.beta(1, 4, n) * np.where(late > 0, 0.3, 1.0)
        frame[f"bill_{k}"] = bill.round()
        frame[f"paid_{k}"] = paid.round()
        if k == 0:
            z -= 1.2 * paid / np.maximum(bill, 1)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    frame.loc[rng.random(n) < 0.02, "education"] = None
    return frame, y


def quality() -> None:
    """AUC and Brier of each model and calibration on two data sets shaped like public ones."""
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from credit import auc, brier, reliability_table

    def baseline(frame: pd.DataFrame) -> Any:
        numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
        other = [c for c in frame.columns if c not in numeric]
        prep = make_column_transformer(
            (make_pipeline(SimpleImputer(), StandardScaler()), numeric),
            (make_pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"),
                           OneHotEncoder(handle_unknown="ignore")), other),
        )  # fmt: skip
        return make_pipeline(prep, LogisticRegression(max_iter=2000))

    candidates: list[tuple[str, Callable[[pd.DataFrame], Any]]] = [
        ("LogisticRegression one-hot (baseline)", baseline)
    ]
    for method in ("platt", "isotonic", "none"):
        candidates.append((f"Scorecard {method}", lambda _f, c=method: Scorecard(calibration=c)))
    for method in ("platt", "isotonic", "none"):
        candidates.append((f"Challenger {method}", lambda _f, c=method: Challenger(calibration=c)))
    sets = [("German-like, 1,000 rows, 5-fold CV", german_like(1000, 7), 5),
            ("Taiwan-like, 30,000 rows, 3-fold CV", taiwan_like(30_000, 8), 3)]  # fmt: skip
    for title, (frame, y), folds in sets:
        print(f"\n{title} (bad rate {y.mean():.1%}):")
        splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
        for name, make in candidates:
            pd_bad, fit_time = np.empty(len(y)), 0.0
            for train, test in splitter.split(frame, y):
                model = make(frame)
                start = time.perf_counter()
                model.fit(frame.iloc[train], y[train])
                fit_time += time.perf_counter() - start
                pd_bad[test] = model.predict_proba(frame.iloc[test])[:, 1]
            table = reliability_table(y, pd_bad, bins=10)
            gaps = (table["observed_pd"] - table["predicted_pd"]).abs()
            ece = float((gaps * table["count"]).sum() / table["count"].sum())
            print(
                f"  {name:38s} AUC {auc(y, pd_bad):.4f}  Brier {brier(y, pd_bad):.4f}  "
                f"reliability: mean gap {ece:.4f}, worst decile {gaps.max():.4f}  "
                f"fit {fit_time / folds:.2f} s/fold"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke run")
    parser.add_argument(
        "--quality", action="store_true", help="also out-of-fold AUC and Brier per calibration"
    )
    args = parser.parse_args(argv)
    with threadpool_limits(limits=1):
        code = run(args.quick)
        if args.quality:
            quality()
    return code


def run(quick: bool) -> int:
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
