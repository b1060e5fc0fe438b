"""Master scale: ten grades from AAA to D by probability of default.

A grade is a band of PD; the bands rise roughly geometrically, as rating scales do, so each
grade is about twice as risky as the one above. The default upper bounds are
AAA 0.1%, AA 0.25%, A 0.5%, BBB 1%, BB 2%, B 4%, CCC 8%, CC 15%, C 30%, D above: wide
enough at the risky end that a portfolio with a bad rate of 30% (German credit) still
spreads over several grades.
They are settings: pass other bands to ``MasterScale`` for another portfolio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from credit.errors import InvalidInput

GRADES: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
DEFAULT_UPPER_PD: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3)


@dataclass(frozen=True, slots=True)
class GradeBand:
    """One grade and the PD interval ``[lower, upper)`` it covers."""

    grade: str
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class MasterScale:
    """Grades and the PD bounds between them (``len(upper_pd) == len(grades) - 1``)."""

    grades: tuple[str, ...] = GRADES
    upper_pd: tuple[float, ...] = DEFAULT_UPPER_PD

    def __post_init__(self) -> None:
        if len(self.upper_pd) != len(self.grades) - 1 or len(set(self.grades)) != len(self.grades):
            raise InvalidInput("a master scale needs one bound fewer than unique grades")
        bounds = list(self.upper_pd)
        if bounds != sorted(set(bounds)) or not all(0.0 < b < 1.0 for b in bounds):
            raise InvalidInput("PD bounds must rise strictly inside (0, 1)", field="upper_pd")

    @property
    def bands(self) -> tuple[GradeBand, ...]:
        lowers = (0.0, *self.upper_pd)
        uppers = (*self.upper_pd, 1.0)
        return tuple(
            GradeBand(g, lo, hi) for g, lo, hi in zip(self.grades, lowers, uppers, strict=True)
        )

    def grade(self, pd: float | npt.ArrayLike) -> Any:
        """The grade of one PD (a ``str``) or an array of grades for an array of PDs."""
        values = np.asarray(pd, dtype=np.float64)
        if np.isnan(values).any():
            raise InvalidInput("a PD to grade must not be NaN", field="pd")
        index = np.searchsorted(np.asarray(self.upper_pd), values, side="right")
        names = np.asarray(self.grades, dtype=object)[index]
        return str(names) if values.ndim == 0 else names

    def midpoint_pd(self, grade: str) -> float:
        """Geometric middle of a grade's band (for reporting a representative PD)."""
        for band in self.bands:
            if band.grade == grade:
                lower = band.lower if band.lower > 0 else band.upper / 2
                return math.sqrt(lower * band.upper)
        raise InvalidInput(f"unknown grade {grade!r}", field="grade")

    def to_json(self) -> dict[str, Any]:
        return {"grades": list(self.grades), "upper_pd": list(self.upper_pd)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MasterScale:
        return cls(tuple(str(g) for g in data["grades"]), tuple(float(b) for b in data["upper_pd"]))
