"""The challenger: histogram gradient boosting with native categorical splits.

It reads input exactly as the scorecard does, encodes categories as frequency-ordered
codes (``category_codes``), fits scikit-learn's ``HistGradientBoostingClassifier``, and
keeps its trees as plain arrays (``trees``) for every later prediction. PD is calibrated
by Platt scaling (or isotonic) fitted on out-of-fold log-odds.

Reason codes: the cost of a factor for a row is how much lower that row's calibrated PD
would be had the factor taken its best attainable value, all else held equal —
``PD(x) - min over v of PD(x with feature := v)``. The candidate values ``v`` are the
cells the trees distinguish: each distinct split threshold on a numeric feature plus one
value above the last (thinned evenly to ``reason_grid`` when there are more), and every
category code of a categorical one; missing is never a candidate, as it is not a value
one can attain. This is the tree analogue of points lost against the best bin, and it
accounts for interactions through the row's other values (unlike a global reference).
Costs need not add up to the PD, and a factor that cannot lower PD is never a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold

from credit.calibration import fit_calibrator, logit, sigmoid
from credit.errors import InvalidInput
from credit.models.base import Columns, CreditModel, FloatArray
from credit.models.category_codes import CategoryCodes, fit_codes
from credit.models.trees import TreeEnsemble, from_sklearn
from credit.reasons import Factor, Reason, check_count, plain_value, rank_reasons
from credit.schema import FeatureKind

TRIAL_ROWS = 65_536


class Challenger(CreditModel):
    """Gradient-boosted trees with calibrated PD, grades and reason codes.

    Parameters follow ``HistGradientBoostingClassifier`` (``max_iter``,
    ``learning_rate``, ``max_leaf_nodes``, ``min_samples_leaf``, ``l2_regularization``,
    ``early_stopping``; the defaults of 8 leaves and 30 rows a leaf, smaller than
    scikit-learn's, measured better out of fold on credit-shaped data of 1,000 to 30,000
    rows), plus ``monotonic_cst`` (feature name -> +1 if risk may only rise
    with the value, -1 if it may only fall; numeric features only),
    ``min_category_share`` (rarer categories share one code), ``calibration`` and
    ``calibration_cv``, ``master_scale``, ``descriptions``, ``reason_grid`` and
    ``n_threads`` (OpenMP threads while fitting; None leaves the process default — on a
    machine whose cores are shared, 1 is often several times faster than spinning threads).

    Learned: ``classes_``, ``n_features_in_``, ``feature_names_in_`` (frames only),
    ``schema_``, ``codes_`` (categorical features), ``void_`` (numeric features missing in
    every training row: they cannot inform a split and are fed to the trees as a
    constant), ``ensemble_``, ``calibrator_``,
    ``candidates_`` (reason-code values per feature), ``master_scale_``.
    """

    def __init__(
        self,
        *,
        max_iter: int = 200,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 8,
        min_samples_leaf: int = 30,
        l2_regularization: float = 1.0,
        early_stopping: str | bool = "auto",
        monotonic_cst: Mapping[str, int] | None = None,
        min_category_share: float = 0.005,
        calibration: str = "platt",
        calibration_cv: int = 3,
        master_scale: tuple[float, ...] | None = None,
        descriptions: Mapping[str, str] | None = None,
        reason_grid: int = 32,
        n_threads: int | None = None,
        random_state: int | None = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.early_stopping = early_stopping
        self.monotonic_cst = monotonic_cst
        self.min_category_share = min_category_share
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.master_scale = master_scale
        self.descriptions = descriptions
        self.reason_grid = reason_grid
        self.n_threads = n_threads
        self.random_state = random_state

    def _booster(self, n_rows: int) -> HistGradientBoostingClassifier:
        kinds = [spec.kind for spec in self.schema_.features]
        monotone = dict(self.monotonic_cst or {})
        unknown = set(monotone) - set(self.schema_.names)
        if unknown:
            raise InvalidInput(f"monotonic_cst names unknown features {sorted(unknown)}")
        cst = []
        for spec in self.schema_.features:
            sign = int(monotone.get(spec.name, 0))
            if sign and spec.kind is FeatureKind.CATEGORICAL:
                raise InvalidInput(
                    "monotone constraints apply to numeric features", field=spec.name
                )
            if sign not in (-1, 0, 1):
                raise InvalidInput("a monotone constraint is -1, 0 or 1", field=spec.name)
            cst.append(sign)
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=min(self.min_samples_leaf, max(1, n_rows // 10)),
            l2_regularization=self.l2_regularization,
            early_stopping=self.early_stopping,
            categorical_features=[k is FeatureKind.CATEGORICAL for k in kinds],
            monotonic_cst=cst if any(cst) else None,
            random_state=self.random_state,
        )

    def _encode(self, columns: Columns) -> FloatArray:
        n = len(next(iter(columns.values())))
        out = np.empty((n, len(self.schema_.features)), dtype=np.float64)
        for j, spec in enumerate(self.schema_.features):
            values = columns[spec.name]
            if spec.name in self.void_:
                out[:, j] = 0.0
            elif spec.name in self.codes_:
                out[:, j] = self.codes_[spec.name].encode(values)
            else:
                out[:, j] = values
        return out

    def _fit(self, columns: Columns, y: npt.NDArray[np.int64]) -> None:
        if self.n_threads is None:
            self._fit_trees(columns, y)
            return
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            self._fit_trees(columns, y)

    def _fit_trees(self, columns: Columns, y: npt.NDArray[np.int64]) -> None:
        self.codes_: dict[str, CategoryCodes] = {
            spec.name: fit_codes(spec.name, columns[spec.name], self.min_category_share)
            for spec in self.schema_.features
            if spec.kind is FeatureKind.CATEGORICAL
        }
        self.void_ = tuple(
            spec.name
            for spec in self.schema_.features
            if spec.kind is FeatureKind.NUMERIC and np.isnan(columns[spec.name]).all()
        )
        X = self._encode(columns)
        booster = self._booster(len(y)).fit(X, y)
        self.ensemble_: TreeEnsemble = from_sklearn(booster, X.shape[1])
        self.n_iter_ = int(booster.n_iter_)
        raw = self._out_of_fold(X, y)
        self.calibrator_ = fit_calibrator(self.calibration, raw, y)
        self.candidates_ = self._candidates()

    def _out_of_fold(self, X: FloatArray, y: npt.NDArray[np.int64]) -> FloatArray:
        folds = min(self.calibration_cv, int(np.bincount(y).min()))
        if self.calibration == "none" or folds < 2:
            return self.ensemble_.raw(X)
        raw = np.empty(len(y), dtype=np.float64)
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(X, y):
            fold = from_sklearn(self._booster(len(train)).fit(X[train], y[train]), X.shape[1])
            raw[test] = fold.raw(X[test])
        return raw

    def _candidates(self) -> dict[str, FloatArray]:
        """Values tried for each feature when looking for its best attainable value."""
        out = {}
        for j, spec in enumerate(self.schema_.features):
            if spec.name in self.codes_:
                out[spec.name] = np.arange(self.codes_[spec.name].n_codes, dtype=np.float64)
                continue
            cuts = self.ensemble_.split_values(j)
            if len(cuts) > self.reason_grid:
                cuts = cuts[np.linspace(0, len(cuts) - 1, self.reason_grid).round().astype(int)]
            above = cuts[-1] + max(1.0, abs(cuts[-1])) if len(cuts) else 0.0
            out[spec.name] = np.unique(np.append(cuts, above))
        return out

    def _logit(self, columns: Columns) -> FloatArray:
        return self._calibrated(self._encode(columns))

    def _calibrated(self, X: FloatArray) -> FloatArray:
        raw = self.ensemble_.raw(X)
        if self.calibrator_.method == "isotonic":
            return logit(self.calibrator_.pd(raw))
        return self.calibrator_.linear_logit(raw)

    def reasons(self, X: Any, n: int = 4) -> list[tuple[Reason, ...]]:
        """For each row, at most ``n`` factors whose best attainable value lowers PD most."""
        return self.reasons_of(self._columns(X), check_count(n))

    def reasons_of(self, columns: Columns, n: int = 4) -> list[tuple[Reason, ...]]:
        """:meth:`reasons` of typed columns already checked (see ``CreditModel.columns_of``)."""
        encoded = self._encode(columns)
        pd_now = sigmoid(self._calibrated(encoded))
        rows = encoded.shape[0]
        costs = pd_now[:, None] - self._best_pd(encoded)
        out = []
        for i in range(rows):
            factors = [
                Factor(
                    position=j,
                    feature=spec.name,
                    value=plain_value(columns[spec.name][i]),
                    bin=self._cell(spec.name, encoded[i, j]),
                    cost=float(costs[i, j]),
                    riskiest=False,
                )
                for j, spec in enumerate(self.schema_.features)
            ]
            out.append(rank_reasons(factors, n, "pd", self.descriptions))
        return out

    def _best_pd(self, encoded: FloatArray) -> FloatArray:
        """Rows by features: the lowest PD reachable by changing that feature alone.

        All features' trial rows go to the trees together, in blocks of about
        ``TRIAL_ROWS``, since each call costs a pass over every tree whatever its size.
        """
        rows, names = encoded.shape[0], self.schema_.names
        best = np.empty((rows, len(names)))
        sizes = [len(self.candidates_[n]) for n in names]
        step = max(1, TRIAL_ROWS // max(1, rows * max(sizes)))
        for first in range(0, len(names), step):
            block = range(first, min(first + step, len(names)))
            trials = []
            for j in block:
                trial = np.repeat(encoded, sizes[j], axis=0)
                trial[:, j] = np.tile(self.candidates_[names[j]], rows)
                trials.append(trial)
            pd_all = sigmoid(self._calibrated(np.concatenate(trials)))
            start = 0
            for j in block:
                size = rows * sizes[j]
                part = pd_all[start : start + size].reshape(rows, sizes[j])
                best[:, j] = part.min(axis=1)
                start += size
        return best

    def _cell(self, name: str, code: float) -> str | None:
        if name not in self.codes_ or np.isnan(code):
            return None
        return self.codes_[name].label(int(code))
