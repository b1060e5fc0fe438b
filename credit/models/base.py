"""What every credit model shares: the classifier surface over one PD function.

A subclass implements ``_fit`` (learn from typed columns and the 0/1 target) and
``_logit`` (calibrated log-odds of bad for typed columns); ``predict_proba``,
``decision_function``, ``predict``, grading and scikit-learn's tags follow from them here,
so the scorecard and the challenger cannot drift apart in how they read input or classes.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from credit.calibration import sigmoid
from credit.errors import InvalidInput
from credit.master_scale import MasterScale
from credit.models.validation import check_fitted, column_arrays, fit_input, predict_input
from credit.schema import FeatureKind, FeatureSchema

FloatArray = npt.NDArray[np.float64]
Columns = dict[str, npt.NDArray[Any]]


class CreditModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Base of :class:`~credit.Scorecard` and :class:`~credit.Challenger` (not public)."""

    master_scale: tuple[float, ...] | None

    def fit(self, X: Any, y: Any) -> Self:
        """Learn from ``X`` (frame or 2-D array) and ``y`` (1 = bad); returns ``self``."""
        frame, y01, schema, classes = fit_input(self, X, y)
        self.classes_ = classes
        self.schema_: FeatureSchema = schema
        self.master_scale_ = (
            MasterScale()
            if self.master_scale is None
            else MasterScale(upper_pd=tuple(self.master_scale))
        )
        self._fit(column_arrays(frame, schema), y01)
        return self

    def _fit(self, columns: Columns, y: npt.NDArray[np.int64]) -> None:
        raise NotImplementedError

    def _logit(self, columns: Columns) -> FloatArray:
        raise NotImplementedError

    def _pd(self, columns: Columns) -> FloatArray:
        return sigmoid(self._logit(columns))

    def _columns(self, X: Any) -> Columns:
        frame = predict_input(self, X)
        return column_arrays(frame, self.schema_)

    def columns_of(self, matrix: FloatArray) -> Columns:
        """Typed columns straight from a float matrix in schema order, skipping the frame
        checks: for callers whose rows come from a table of this schema (all numeric), such
        as ledger features, where one row's checks would cost more than its score."""
        check_fitted(self)
        names = self.schema_.names
        if matrix.ndim != 2 or matrix.shape[1] != len(names):
            raise InvalidInput(f"need a matrix of {len(names)} columns", field="X")
        if any(spec.kind is not FeatureKind.NUMERIC for spec in self.schema_.features):
            raise InvalidInput("columns_of takes numeric schemas only", field="X")
        values = np.asarray(matrix, dtype=np.float64)
        return {name: values[:, i] for i, name in enumerate(names)}

    def pd_of(self, columns: Columns) -> FloatArray:
        return self._pd(columns)

    def decision_function(self, X: Any) -> FloatArray:
        """Calibrated log-odds of default (higher is riskier)."""
        return self._logit(self._columns(X))

    def predict_proba(self, X: Any) -> FloatArray:
        """``[:, 1]`` is the calibrated probability of default, ``[:, 0]`` of good."""
        pd_bad = self._pd(self._columns(X))
        return np.column_stack([1.0 - pd_bad, pd_bad])

    def predict(self, X: Any) -> npt.NDArray[Any]:
        """``classes_[1]`` (bad) where the PD is at least one half."""
        pd_bad = self._pd(self._columns(X))
        return np.asarray(self.classes_[(pd_bad >= 0.5).astype(np.intp)])

    def grade(self, pd_bad: float | npt.ArrayLike) -> Any:
        """Master-scale grade (AAA .. D) of one PD or an array of PDs."""
        check_fitted(self)
        return self.master_scale_.grade(pd_bad)

    def predict_grade(self, X: Any) -> npt.NDArray[np.object_]:
        """Master-scale grade of each row's calibrated PD."""
        return np.asarray(self.grade(self._pd(self._columns(X))), dtype=object)

    def _index(self, X: Any, rows: int) -> pd.Index:
        return X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(rows)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.classifier_tags.multi_class = False
        return tags
