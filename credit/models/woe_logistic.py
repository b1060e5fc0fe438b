"""The fitting core of the scorecard: bins per feature, WoE, and a logistic regression.

Kept apart from the estimator so the same steps fit the final model and each fold of the
out-of-fold calibration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression

from credit.binning import BinningSettings, FeatureBinning, fit_categorical, fit_numeric
from credit.schema import FeatureKind, FeatureSchema

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Columns = dict[str, npt.NDArray[Any]]


def fit_binnings(
    columns: Columns, y: IntArray, schema: FeatureSchema, settings: BinningSettings
) -> dict[str, FeatureBinning]:
    out = {}
    for spec in schema.features:
        fit = fit_numeric if spec.kind is FeatureKind.NUMERIC else fit_categorical
        out[spec.name] = fit(spec.name, columns[spec.name], y, settings)
    return out


def woe_matrix(columns: Columns, binnings: list[FeatureBinning]) -> FloatArray:
    """Rows by features: the WoE of each row's bin."""
    n = len(next(iter(columns.values())))
    out = np.empty((n, len(binnings)), dtype=np.float64)
    for j, binning in enumerate(binnings):
        out[:, j] = binning.woes[binning.assign(columns[binning.name])]
    return out


@dataclass(frozen=True, slots=True)
class WoeLogit:
    """``logit(bad) = intercept + sum(coef_j * WoE_j)`` over ``features``."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float


def fit_logit(
    woe: FloatArray, y: IntArray, features: list[str], C: float, drop_wrong_sign: bool = True
) -> WoeLogit:
    """L2 logistic regression on WoE; features whose coefficient comes out positive are
    dropped one by one and the rest refitted.

    WoE is positive where goods are over-represented, so its coefficient on "bad" must be
    negative; a positive one (collinearity) would make a safer bin cost points, so the
    feature goes and the others are refitted. At least one feature is always kept.
    """
    keep = list(range(len(features)))
    while True:
        model = LogisticRegression(C=C, max_iter=1000, tol=1e-8)
        model.fit(woe[:, keep], y)
        coef = model.coef_[0]
        worst = int(np.argmax(coef))
        if not drop_wrong_sign or coef[worst] <= 0 or len(keep) == 1:
            break
        del keep[worst]
    return WoeLogit(
        features=tuple(features[k] for k in keep),
        coef=tuple(float(c) for c in coef),
        intercept=float(model.intercept_[0]),
    )
