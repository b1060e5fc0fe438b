"""Population stability: has the scored population moved since the model was fitted?

PSI compares the distribution of the score (CSI: of one input) in a later, *actual*
population with the training, *expected* one, on bins fixed from the expected population:
``sum((a - e) * ln(a / e))`` over bins of shares ``e`` and ``a``. Bands: below 0.10
stable, 0.10 to 0.25 watch, above 0.25 act. Numeric values use the expected population's
quantile bins plus a missing bin; categorical values one bin per expected category, plus
``(other)`` for categories it never had and a missing bin. Empty bins get a share of
``epsilon`` so the logarithm stays finite.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit.errors import InvalidInput
from credit.frame import categorical_values, frame_from, infer_kind, numeric_values
from credit.schema import FeatureKind

WATCH = 0.10
ACT = 0.25


class PopulationShiftWarning(UserWarning):
    """A PSI or CSI reached the watch (0.10) or act (0.25) band."""


def stability_band(value: float) -> str:
    if value < WATCH:
        return "stable"
    return "watch" if value <= ACT else "act"


@dataclass(frozen=True, slots=True)
class Stability:
    """One PSI (or CSI) with its band and the per-bin shares it was computed from."""

    name: str
    value: float
    band: str
    table: pd.DataFrame


def _index_numeric(expected: npt.NDArray[np.float64], bins: int) -> tuple[Any, list[str]]:
    present = expected[~np.isnan(expected)]
    if present.size:
        edges = np.unique(np.quantile(present, np.linspace(0, 1, bins + 1)[1:-1]))
        edges = edges[edges < present.max()]
    else:
        edges = np.empty(0)
    labels = [f"<= {e:.6g}" for e in edges] + [f"> {edges[-1]:.6g}" if edges.size else "all"]

    def index(values: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
        spot = np.searchsorted(edges, values, side="left")
        return np.where(np.isnan(values), len(labels), spot).astype(np.intp)

    return index, [*labels, "(missing)"]


def _index_categorical(expected: npt.NDArray[np.object_]) -> tuple[Any, list[str]]:
    categories = sorted({v for v in expected if v is not None})
    lookup = {c: i for i, c in enumerate(categories)}
    other, missing = len(categories), len(categories) + 1

    def index(values: npt.NDArray[np.object_]) -> npt.NDArray[np.intp]:
        return np.array(
            [missing if v is None else lookup.get(v, other) for v in values], dtype=np.intp
        )

    return index, [*categories, "(other)", "(missing)"]


def psi(
    expected: npt.ArrayLike | pd.Series,
    actual: npt.ArrayLike | pd.Series,
    *,
    bins: int = 10,
    epsilon: float = 1e-4,
    kind: FeatureKind | None = None,
    name: str = "score",
    warn: bool = True,
) -> Stability:
    """PSI of ``actual`` against ``expected`` (numeric or categorical, see module docstring)."""
    exp_s, act_s = pd.Series(expected), pd.Series(actual)
    if exp_s.empty or act_s.empty:
        raise InvalidInput("both populations must be non-empty", field=name)
    if bins < 2 or not 0 < epsilon < 0.01:
        raise InvalidInput("at least two bins and a small positive epsilon", field=name)
    kind = kind or infer_kind(exp_s)
    e_values: npt.NDArray[Any]
    a_values: npt.NDArray[Any]
    if kind is FeatureKind.NUMERIC:
        e_values, a_values = numeric_values(exp_s), numeric_values(act_s)
        index, labels = _index_numeric(e_values, bins)
    else:
        e_values, a_values = categorical_values(exp_s), categorical_values(act_s)
        index, labels = _index_categorical(e_values)
    e_share = np.bincount(index(e_values), minlength=len(labels)) / len(e_values)
    a_share = np.bincount(index(a_values), minlength=len(labels)) / len(a_values)
    e_safe, a_safe = np.maximum(e_share, epsilon), np.maximum(a_share, epsilon)
    terms = (a_safe - e_safe) * np.log(a_safe / e_safe)
    value = float(terms.sum())
    table = pd.DataFrame(
        {"bin": labels, "expected": e_share, "actual": a_share, "contribution": terms}
    )
    result = Stability(name, value, stability_band(value), table)
    if warn and result.band != "stable":
        warnings.warn(
            f"{name}: stability index {value:.3f} is in the '{result.band}' band",
            PopulationShiftWarning,
            stacklevel=2,
        )
    return result


def csi(
    expected: Any, actual: Any, *, bins: int = 10, epsilon: float = 1e-4, warn: bool = True
) -> pd.DataFrame:
    """CSI of every column of ``expected`` (frames or 2-D arrays), worst first."""
    e_frame, a_frame = frame_from(expected), frame_from(actual)
    missing = [c for c in e_frame.columns if c not in a_frame.columns]
    if missing:
        raise InvalidInput(f"the actual population lacks columns {missing}", field="columns")
    rows = []
    for column in e_frame.columns:
        result = psi(
            e_frame[column],
            a_frame[column],
            bins=bins,
            epsilon=epsilon,
            kind=infer_kind(e_frame[column]),
            name=str(column),
            warn=warn,
        )
        rows.append({"feature": column, "csi": result.value, "band": result.band})
    return pd.DataFrame(rows).sort_values("csi", ascending=False, ignore_index=True)
