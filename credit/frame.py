"""Turn any tabular input into typed feature columns.

Credit data arrives as pandas frames with numeric, string, categorical, object and bool
columns and every flavour of missing value (NaN, None, ``pd.NA``, ``NaT``), or as plain
numpy arrays. The models need exactly two shapes of column: float64 with NaN for missing,
and object arrays of ``str`` with ``None`` for missing. This module owns that mapping so
every model treats the same input the same way.

Rules, stated once:
- bool, pandas ``boolean``, ``category``, string and object-of-strings columns are
  categorical; other numeric dtypes are numeric; an object column whose present values are
  all numbers (not bools) is numeric, as scikit-learn treats object arrays.
- NaN, None, ``pd.NA``, ``NaT`` and ±inf are missing (±inf has no place among quantile
  bins, so it is treated as "not known" rather than as an extreme value).
- categories are compared as text: ``True`` becomes ``"True"``, ``3`` becomes ``"3"``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit.schema import FeatureKind, FeatureSchema, FeatureSpec

FloatArray = npt.NDArray[np.float64]
ObjectArray = npt.NDArray[np.object_]


def default_names(n_features: int) -> list[str]:
    """Names given to the columns of an array that has none: ``x0, x1, ...``."""
    return [f"x{i}" for i in range(n_features)]


def frame_from(X: Any, names: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame view of ``X`` with string column names.

    A DataFrame keeps its columns (renamed ``x0..`` unless all names are strings, or to
    ``names`` when given); anything else goes through :func:`numpy.asarray` and must be 2-D.
    """
    if isinstance(X, pd.DataFrame):
        frame = X
        if names is not None:
            frame = frame.set_axis(names, axis=1)
        elif not all(isinstance(c, str) for c in frame.columns):
            frame = frame.set_axis(default_names(frame.shape[1]), axis=1)
        return frame
    array = np.asarray(X)
    if array.ndim != 2:
        raise ValueError(f"Expected a 2D array, got an array of shape {array.shape}")
    frame = pd.DataFrame(array, columns=names or default_names(array.shape[1]), copy=False)
    if array.dtype == object:
        frame = frame.infer_objects()
    return frame


def _is_plain_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def infer_kind(column: pd.Series) -> FeatureKind:
    """Numeric or categorical, by the rules in the module docstring."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return FeatureKind.CATEGORICAL
    if pd.api.types.is_numeric_dtype(dtype):
        return FeatureKind.NUMERIC
    if pd.api.types.is_object_dtype(dtype):
        present = column[column.notna()]
        if len(present) and all(_is_plain_number(v) for v in present.to_numpy()):
            return FeatureKind.NUMERIC
        if not len(present):
            return FeatureKind.NUMERIC
    return FeatureKind.CATEGORICAL


def infer_schema(frame: pd.DataFrame) -> FeatureSchema:
    """The schema of a training frame: one spec per column, in column order."""
    return FeatureSchema(
        tuple(FeatureSpec(str(name), infer_kind(frame[name])) for name in frame.columns)
    )


def numeric_values(column: pd.Series) -> FloatArray:
    """Float64 values, NaN for anything missing, non-finite or not a number."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        coerced = pd.to_numeric(column.astype(object), errors="coerce")
        values = np.asarray(coerced, dtype=np.float64)
    if not np.isfinite(values).all():
        values = np.where(np.isfinite(values), values, np.nan)
    return values


def categorical_values(column: pd.Series) -> ObjectArray:
    """Object array of ``str`` categories, ``None`` where missing."""
    raw = column.to_numpy(dtype=object)
    missing = pd.isna(raw)
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        text = np.array(raw, dtype=object)
        text[missing] = None
        return text
    out = np.empty(len(raw), dtype=object)
    for i, (value, absent) in enumerate(zip(raw, missing, strict=True)):
        out[i] = None if absent else _category_text(value)
    return out


def _category_text(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
