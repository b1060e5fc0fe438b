"""The scorecard: monotone WoE bins, a logistic regression, and points.

Every numeric feature is binned so its bad rate is monotone, each bin gets a smoothed
weight of evidence, and an L2 logistic regression on the WoE gives log-odds of bad. The
log-odds are calibrated (Platt scaling fitted on out-of-fold log-odds, by default) and
folded into the points, so the points of a row add up to a score whose odds are the
calibrated odds: ``PD = 1 / (1 + exp((score - offset) / factor))``.

Intercept handling: the base points (offset minus the scaled intercept) are shared out
equally among the characteristics in use, so the columns of :meth:`Scorecard.transform`
add up to :meth:`Scorecard.predict_score` with nothing left over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from credit.binning import Bin, BinningSettings, FeatureBinning
from credit.calibration import Calibrator, fit_calibrator, logit, sigmoid
from credit.models.base import Columns, CreditModel, FloatArray
from credit.models.validation import check_fitted
from credit.models.woe_logistic import WoeLogit, fit_binnings, fit_logit, woe_matrix
from credit.reasons import Factor, Reason, check_count, plain_value, rank_reasons
from credit.scaling import PointsScaling


class Scorecard(CreditModel):
    """Monotone WoE-binned logistic scorecard with points, grades and reason codes.

    Parameters: binning (``max_bins``, ``min_bin_share``, ``fine_bins``,
    ``min_category_share``, ``smoothing``), selection (``min_iv``: features below it are
    left out, the best one is kept if none reaches it), the regression (``C``, inverse L2
    strength), calibration (``calibration`` in platt / isotonic / none, ``calibration_cv``
    folds, ``random_state`` for the folds), scaling (``base_points`` at ``base_odds``
    good:bad, ``pdo``), ``master_scale`` (nine PD bounds between the ten grades, or None
    for the default) and ``descriptions`` (feature -> reason text template).

    The out-of-fold fits refit bins and coefficients in each fold but keep the features
    chosen on all rows, so the calibration sees slightly optimistic folds only through
    feature selection.

    With ``isotonic`` the points stay on the uncalibrated log-odds (a step function cannot
    be shared out among characteristics) and only ``predict_proba`` is calibrated.

    Learned: ``classes_``, ``n_features_in_``, ``feature_names_in_`` (frames only),
    ``schema_``, ``binnings_`` (every input feature), ``iv_``, ``features_`` (those in
    use), ``coef_``, ``intercept_``, ``calibrator_``, ``scaling_``, ``points_`` (per
    feature in use, per bin), ``master_scale_``.
    """

    def __init__(
        self,
        *,
        max_bins: int = 8,
        min_bin_share: float = 0.05,
        fine_bins: int = 20,
        min_category_share: float = 0.01,
        smoothing: float = 1.0,
        min_iv: float = 0.02,
        C: float = 1.0,
        calibration: str = "platt",
        calibration_cv: int = 5,
        base_points: float = 600.0,
        base_odds: float = 50.0,
        pdo: float = 20.0,
        master_scale: tuple[float, ...] | None = None,
        descriptions: Mapping[str, str] | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.fine_bins = fine_bins
        self.min_category_share = min_category_share
        self.smoothing = smoothing
        self.min_iv = min_iv
        self.C = C
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.base_points = base_points
        self.base_odds = base_odds
        self.pdo = pdo
        self.master_scale = master_scale
        self.descriptions = descriptions
        self.random_state = random_state

    def _settings(self) -> BinningSettings:
        return BinningSettings(
            max_bins=self.max_bins,
            min_bin_share=self.min_bin_share,
            fine_bins=max(self.fine_bins, self.max_bins),
            min_category_share=self.min_category_share,
            smoothing=self.smoothing,
        )

    def _fit(self, columns: Columns, y: npt.NDArray[np.int64]) -> None:
        settings = self._settings()
        self.scaling_ = PointsScaling(self.base_points, self.base_odds, self.pdo)
        binnings = fit_binnings(columns, y, self.schema_, settings)
        self.binnings_ = binnings
        self.iv_ = {name: b.iv for name, b in binnings.items()}
        chosen = [n for n in self.schema_.names if self.iv_[n] >= self.min_iv]
        if not chosen:
            chosen = [max(self.schema_.names, key=lambda n: self.iv_[n])]
        woe = woe_matrix(columns, [binnings[n] for n in chosen])
        regression = fit_logit(woe, y, chosen, self.C)
        self.features_ = regression.features
        self.coef_ = np.asarray(regression.coef)
        self.intercept_ = regression.intercept
        raw = self._out_of_fold(columns, y, settings)
        self.calibrator_ = fit_calibrator(self.calibration, raw, y)
        self.points_ = self._points(regression, self.calibrator_)

    def _out_of_fold(
        self, columns: Columns, y: npt.NDArray[np.int64], settings: BinningSettings
    ) -> FloatArray:
        """Log-odds of each row from a model fitted without its fold (same features)."""
        folds = min(self.calibration_cv, int(np.bincount(y).min()))
        if self.calibration == "none" or folds < 2:
            return self._raw(columns)
        raw = np.empty(len(y), dtype=np.float64)
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        features = list(self.features_)
        for train, test in splitter.split(np.zeros(len(y)), y):
            part = {n: columns[n][train] for n in features}
            held = {n: columns[n][test] for n in features}
            binnings = fit_binnings(part, y[train], self.schema_.subset(features), settings)
            chosen = [binnings[n] for n in features]
            fold = fit_logit(woe_matrix(part, chosen), y[train], features, self.C, False)
            raw[test] = fold.intercept + woe_matrix(held, chosen) @ np.asarray(fold.coef)
        return raw

    def _raw(self, columns: Columns) -> FloatArray:
        woe = woe_matrix(columns, [self.binnings_[n] for n in self.features_])
        return np.asarray(self.intercept_ + woe @ self.coef_, dtype=np.float64)

    def _points(self, regression: WoeLogit, calibrator: Calibrator) -> dict[str, FloatArray]:
        """Points of each bin of each feature in use, base points shared out equally."""
        linear = calibrator.method != "isotonic"
        slope = calibrator.slope if linear else 1.0
        shift = calibrator.intercept if linear else 0.0
        factor = self.scaling_.factor
        base = self.scaling_.offset - factor * (slope * regression.intercept + shift)
        share = base / len(regression.features)
        return {
            name: share - factor * slope * coef * self.binnings_[name].woes
            for name, coef in zip(regression.features, regression.coef, strict=True)
        }

    def _point_matrix(self, columns: Columns) -> tuple[FloatArray, list[npt.NDArray[np.intp]]]:
        bins = [self.binnings_[n].assign(columns[n]) for n in self.features_]
        points = np.column_stack(
            [self.points_[n][b] for n, b in zip(self.features_, bins, strict=True)]
        )
        return points, bins

    def _logit(self, columns: Columns) -> FloatArray:
        return self._logit_of_points(self._point_matrix(columns)[0])

    def _logit_of_points(self, points: FloatArray) -> FloatArray:
        score = points.sum(axis=1)
        raw = (self.scaling_.offset - score) / self.scaling_.factor
        if self.calibrator_.method == "isotonic":
            return logit(self.calibrator_.pd(raw))
        return np.asarray(raw, dtype=np.float64)

    def __sklearn_tags__(self) -> Any:
        """A classifier that also transforms: rows into points per characteristic."""
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags(preserves_dtype=[])
        return tags

    def fit_transform(self, X: Any, y: Any) -> pd.DataFrame:
        """Fit, then give the training rows' points per characteristic."""
        self.fit(X, y)
        return self.transform(X)

    def transform(self, X: Any) -> pd.DataFrame:
        """Points per characteristic in use (one column each); rows add up to the score."""
        points, _ = self._point_matrix(self._columns(X))
        return pd.DataFrame(
            points, columns=list(self.features_), index=self._index(X, points.shape[0])
        )

    def predict_score(self, X: Any) -> FloatArray:
        """Total points of each row: higher is safer; ``pdo`` points double the odds."""
        return self.score_of(self._columns(X))

    def score_of(self, columns: Columns) -> FloatArray:
        return np.asarray(self._point_matrix(columns)[0].sum(axis=1))

    def points_table(self) -> pd.DataFrame:
        """Every bin of every characteristic in use, with its counts, WoE, IV and points."""
        check_fitted(self)
        rows = []
        for name in self.features_:
            binning: FeatureBinning = self.binnings_[name]
            for b, points in zip(binning.bins, self.points_[name], strict=True):
                rows.append(_row(name, b, float(points)))
        return pd.DataFrame(
            rows, columns=["feature", "bin", "count", "bad_rate", "woe", "iv", "points"]
        )

    def reasons(self, X: Any, n: int = 4) -> list[tuple[Reason, ...]]:
        """For each row, at most ``n`` characteristics that cost the most points.

        The cost of a characteristic is its best attainable points (over its non-missing
        bins) minus the points the row got; characteristics that cost nothing are never
        reasons. Ordered by cost, ties by feature order.
        """
        return self.reasons_of(self._columns(X), check_count(n))

    def assess_of(
        self, columns: Columns, n: int = 4
    ) -> tuple[FloatArray, FloatArray, list[tuple[Reason, ...]]]:
        """PD, points and reasons of the same rows from one binning of them: a score asks
        for all three, and binning is most of the cost of scoring one row."""
        matrix = self._point_matrix(columns)
        logit_ = self._logit_of_points(matrix[0])
        return (
            sigmoid(logit_),
            np.asarray(matrix[0].sum(axis=1)),
            self.reasons_of(columns, n, matrix),
        )

    def reasons_of(
        self,
        columns: Columns,
        n: int = 4,
        matrix: tuple[FloatArray, list[npt.NDArray[np.intp]]] | None = None,
    ) -> list[tuple[Reason, ...]]:
        """:meth:`reasons` of typed columns already checked (see ``CreditModel.columns_of``)."""
        points, bins = self._point_matrix(columns) if matrix is None else matrix
        position = {name: i for i, name in enumerate(self.schema_.names)}
        best = {name: float(self.points_[name][:-1].max()) for name in self.features_}
        worst = {name: float(self.points_[name].min()) for name in self.features_}
        out = []
        for i in range(points.shape[0]):
            factors = []
            for j, name in enumerate(self.features_):
                binning = self.binnings_[name]
                got = float(points[i, j])
                factors.append(
                    Factor(
                        position=position[name],
                        feature=name,
                        value=plain_value(columns[name][i]),
                        bin=binning.bins[int(bins[j][i])].label,
                        cost=best[name] - got,
                        riskiest=got <= worst[name],
                    )
                )
            out.append(rank_reasons(factors, n, "points", self.descriptions))
        return out


def _row(name: str, b: Bin, points: float) -> dict[str, object]:
    return {
        "feature": name,
        "bin": b.label,
        "count": b.count,
        "bad_rate": b.bad_rate,
        "woe": b.woe,
        "iv": b.iv,
        "points": points,
    }
