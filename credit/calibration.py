"""Calibrated PD from a model's raw log-odds.

A model's raw log-odds rank well but are often over-confident (its bins or trees were
fitted on the same rows). The calibrator is fitted on *out-of-fold* log-odds — each row
scored by a model that did not see it — and then applied to the final model's log-odds.

- ``platt`` (default): ``logit(PD) = slope * raw + intercept``. Two parameters, monotone,
  keeps the ranking (so AUC and grades do not move) and keeps the scorecard linear, so its
  points still add up to a score whose odds are the calibrated odds.
- ``isotonic``: a step function fitted by pool-adjacent-violators, for large samples whose
  miscalibration is not a straight line in log-odds; it creates ties in PD.
- ``none``: the raw log-odds as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from credit.errors import ArtifactInvalid, InvalidInput

FloatArray = npt.NDArray[np.float64]
Method = Literal["platt", "isotonic", "none"]
METHODS: tuple[str, ...] = ("platt", "isotonic", "none")
_EPS = 1e-12


def sigmoid(z: FloatArray) -> FloatArray:
    """Logistic function, without overflow for large ``|z|``."""
    x = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.asarray(np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def logit(p: FloatArray) -> FloatArray:
    q = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Calibrator:
    """A fitted map from raw log-odds of bad to PD."""

    method: str = "none"
    slope: float = 1.0
    intercept: float = 0.0
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidInput(f"calibration must be one of {METHODS}", field="calibration")
        if self.method == "isotonic" and (
            not self.knots_x or len(self.knots_x) != len(self.knots_y)
        ):
            raise ArtifactInvalid("isotonic calibration needs knots", field="calibration")

    def linear_logit(self, raw: FloatArray) -> FloatArray:
        """Calibrated log-odds for ``platt``/``none`` (linear in the raw log-odds)."""
        return self.slope * np.asarray(raw, dtype=np.float64) + self.intercept

    def pd(self, raw: FloatArray) -> FloatArray:
        """Calibrated PD of each raw log-odds."""
        if self.method == "isotonic":
            values = np.interp(raw, np.asarray(self.knots_x), np.asarray(self.knots_y))
            return np.asarray(np.clip(values, 0.0, 1.0), dtype=np.float64)
        return sigmoid(self.linear_logit(raw))

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "slope": self.slope,
            "intercept": self.intercept,
            "knots_x": list(self.knots_x),
            "knots_y": list(self.knots_y),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibrator:
        return cls(
            str(data["method"]),
            float(data["slope"]),
            float(data["intercept"]),
            tuple(float(v) for v in data["knots_x"]),
            tuple(float(v) for v in data["knots_y"]),
        )


def fit_calibrator(method: str, raw: FloatArray, y: npt.NDArray[np.int64]) -> Calibrator:
    """Fit ``method`` on out-of-fold raw log-odds ``raw`` against the 0/1 outcomes ``y``."""
    if method not in METHODS:
        raise InvalidInput(f"calibration must be one of {METHODS}", field="calibration")
    if method == "none":
        return Calibrator()
    if method == "platt":
        slope, intercept = _platt(np.asarray(raw, dtype=np.float64), y.astype(np.float64))
        return Calibrator("platt", slope, intercept)
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, y)
    return Calibrator(
        "isotonic",
        knots_x=tuple(float(v) for v in iso.X_thresholds_),
        knots_y=tuple(float(v) for v in iso.y_thresholds_),
    )


def _platt(raw: FloatArray, y: FloatArray, iterations: int = 50) -> tuple[float, float]:
    """Unpenalised one-feature logistic regression by Newton's method.

    Written out (rather than a ``LogisticRegression``) because it is two parameters, must
    not be regularised, and converges in a handful of steps; a tiny ridge keeps the Hessian
    invertible when the raw log-odds are constant.
    """
    a, b = 1.0, 0.0
    design = np.column_stack([raw, np.ones_like(raw)])
    for _ in range(iterations):
        p = sigmoid(a * raw + b)
        gradient = design.T @ (p - y) + 1e-6 * np.array([a - 1.0, b])
        weights = p * (1 - p)
        hessian = (design * weights[:, None]).T @ design + 1e-6 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        step *= min(1.0, 5.0 / max(float(np.abs(step).max()), 1e-300))
        a, b = a - float(step[0]), b - float(step[1])
        if float(np.abs(step).max()) < 1e-10:
            break
    return a, b
