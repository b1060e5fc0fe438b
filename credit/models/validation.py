"""Checking what ``fit`` and ``predict`` are given, once for every credit model.

Frames keep their own column types; anything else goes through scikit-learn's
``check_array`` (which refuses sparse, complex, 1-D and empty input the way scikit-learn
users expect) with its dtype left alone, so object arrays of strings still work. Feature
names and counts are checked by scikit-learn's ``validate_data``, so a model fitted on a
frame refuses a frame with other or reordered columns with scikit-learn's own message.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from credit.errors import CreditError, InvalidInput
from credit.frame import categorical_values, frame_from, infer_schema, numeric_values
from credit.schema import FeatureKind, FeatureSchema

IntArray = npt.NDArray[np.int64]


class NotFitted(CreditError, NotFittedError):  # type: ignore[misc]
    """A method that needs a fitted model was called before ``fit``."""

    code = "not_fitted"
    status = 409


def check_fitted(estimator: Any) -> None:
    if not hasattr(estimator, "schema_"):
        raise NotFitted(f"this {type(estimator).__name__} is not fitted yet: call fit(X, y) first")


def _as_table(X: Any) -> Any:
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0:
            raise InvalidInput("Found array with 0 sample(s) while a minimum of 1 is required")
        if X.shape[1] == 0:
            raise InvalidInput("Found array with 0 feature(s) while a minimum of 1 is required")
        return X
    return check_array(X, dtype=None, ensure_all_finite="allow-nan", ensure_min_samples=1)


def fit_input(
    estimator: Any, X: Any, y: Any
) -> tuple[pd.DataFrame, IntArray, FeatureSchema, npt.NDArray[Any]]:
    """Validated frame, 0/1 target (1 = bad), schema and ``classes_`` for ``fit``.

    Labels other than 0/1 are accepted if there are exactly two: as scikit-learn does, the
    second in sorted order is the positive class, here the bad one.
    """
    table = _as_table(X)
    validate_data(estimator, table, reset=True, skip_check_array=True)
    if y is None:
        raise InvalidInput(
            "this model requires y to be passed, but the target y is None (1 for bad, 0 for good)",
            field="y",
        )
    target = column_or_1d(np.asarray(y) if not isinstance(y, pd.Series) else y, warn=True)
    check_consistent_length(table, target)
    if pd.isna(pd.Series(target, dtype=object)).any():
        raise InvalidInput("y must not have missing values", field="y")
    check_classification_targets(target)
    if type_of_target(target) not in ("binary", "unknown") and len(np.unique(target)) > 2:
        raise InvalidInput(
            "Only binary classification is supported: y is 1 for bad, 0 for good", field="y"
        )
    classes = np.unique(target)
    if len(classes) < 2:
        raise InvalidInput(
            f"y has only one class ({classes[0]!r}): a credit model needs both goods (0) "
            "and bads (1)",
            field="y",
        )
    if type_of_target(target) != "binary":
        raise InvalidInput("y must be binary: 1 for bad (default), 0 for good", field="y")
    y01 = (target == classes[1]).astype(np.int64)
    frame = frame_from(table, _names(estimator, table))
    return frame, y01, infer_schema(frame), classes


def predict_input(estimator: Any, X: Any) -> pd.DataFrame:
    """Validated frame for a fitted model, columns named as at fit time."""
    check_fitted(estimator)
    table = _as_table(X)
    validate_data(estimator, table, reset=False, skip_check_array=True)
    return frame_from(table, list(estimator.schema_.names))


def _names(estimator: Any, table: Any) -> list[str] | None:
    names = getattr(estimator, "feature_names_in_", None)
    return [str(n) for n in names] if names is not None else None


def column_arrays(frame: pd.DataFrame, schema: FeatureSchema) -> dict[str, npt.NDArray[Any]]:
    """Each feature as float64-with-NaN (numeric) or ``str``-or-``None`` objects."""
    out: dict[str, npt.NDArray[Any]] = {}
    for spec, name in zip(schema.features, frame.columns, strict=True):
        column = frame[name]
        if spec.kind is FeatureKind.NUMERIC:
            out[spec.name] = numeric_values(column)
        else:
            out[spec.name] = categorical_values(column)
    return out
