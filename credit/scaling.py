"""Points scaling: from log-odds to score points and back.

``score = offset + factor * ln(odds good:bad)`` with ``factor = PDO / ln 2``: every ``pdo``
points double the odds, and ``base_points`` stand for ``base_odds``. The default is the
common 600 points at 50:1 and PDO 20, so ``factor = 28.8539...`` and ``offset = 487.1229...``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from credit.calibration import sigmoid
from credit.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PointsScaling:
    """How model log-odds become points; kept with the model and saved with it."""

    base_points: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0

    def __post_init__(self) -> None:
        if not (self.pdo > 0 and math.isfinite(self.pdo)):
            raise InvalidInput("points to double the odds must be positive", field="pdo")
        if not (self.base_odds > 0 and math.isfinite(self.base_odds)):
            raise InvalidInput("base odds must be positive", field="base_odds")
        if not math.isfinite(self.base_points):
            raise InvalidInput("base points must be finite", field="base_points")

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.base_odds)

    def points_from_odds(self, odds_good: float) -> float:
        """Score of a good:bad odds, e.g. 600 for 50 and 620 for 100 by default."""
        return self.offset + self.factor * math.log(odds_good)

    def score_from_logit(self, logit_bad: FloatArray) -> FloatArray:
        """Score from the log-odds of *bad* (what a classifier predicts)."""
        return self.offset - self.factor * np.asarray(logit_bad, dtype=np.float64)

    def pd_from_score(self, score: FloatArray) -> FloatArray:
        """Probability of default a score stands for: ``1 / (1 + odds_good)``."""
        logit_bad = (self.offset - np.asarray(score, dtype=np.float64)) / self.factor
        return sigmoid(logit_bad)

    def to_json(self) -> dict[str, Any]:
        return {"base_points": self.base_points, "base_odds": self.base_odds, "pdo": self.pdo}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PointsScaling:
        return cls(float(data["base_points"]), float(data["base_odds"]), float(data["pdo"]))
