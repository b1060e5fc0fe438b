"""Synthetic applicants from a known logistic model (German-credit-like mix of columns)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

SIGNAL = ("age", "income", "late_share", "utilisation", "region", "purpose")
NOISE = ("noise_num", "noise_cat")
REGION_EFFECT = {"north": 0.0, "south": 0.4, "east": -0.3, "west": 0.8, "centre": 0.0}
PURPOSE_EFFECT = {"car": 0.0, "house": -0.5, "education": 0.3, "business": 0.7, "other": 0.2}


@dataclass(frozen=True)
class CreditData:
    X: pd.DataFrame
    y: npt.NDArray[np.int64]
    true_pd: npt.NDArray[np.float64]


def make_credit_data(n: int, seed: int, missing: float = 0.03) -> CreditData:
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n).clip(18, 80).round()
    income = np.exp(rng.normal(10, 0.6, n)).round(-1)
    late = rng.beta(1, 6, n)
    util = rng.uniform(0, 1, n)
    region = rng.choice(list(REGION_EFFECT), n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    purpose = rng.choice(list(PURPOSE_EFFECT), n, p=[0.3, 0.25, 0.15, 0.15, 0.15])
    z = (
        -1.2
        - 0.03 * (age - 40)
        - 0.8 * (np.log(income) - 10)
        + 4.0 * (late - 0.14)
        + 1.5 * (util - 0.5)
        + np.array([REGION_EFFECT[r] for r in region])
        + np.array([PURPOSE_EFFECT[p] for p in purpose])
    )
    true_pd = 1.0 / (1.0 + np.exp(-z))
    y = (rng.random(n) < true_pd).astype(np.int64)
    X = pd.DataFrame(
        {
            "age": age.astype(int),
            "income": income,
            "late_share": late,
            "utilisation": util,
            "region": region,
            "purpose": pd.Categorical(purpose),
            "noise_num": rng.normal(size=n),
            "noise_cat": rng.choice(list("abcd"), n),
        }
    )
    for column in ("income", "late_share"):
        X.loc[rng.random(n) < missing, column] = np.nan
    X["region"] = X["region"].astype(object)
    X.loc[rng.random(n) < missing, "region"] = None
    return CreditData(X, y, true_pd)
