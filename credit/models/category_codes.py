"""Integer codes for categorical features, for gradient boosting's native categorical splits.

Histogram gradient boosting splits a categorical feature on integer codes below 255. The
codes are given in order of frequency; categories under the minimum share (and any beyond
the 254th) share one ``(other)`` code. Missing values are NaN, which the trees route by
their learned missing-value direction. An unseen category gets the ``(other)`` code when
the training data had rare categories; otherwise it is treated as missing, as scikit-learn
does for unknown categories.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from credit.errors import ArtifactInvalid

MAX_CODES = 254
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CategoryCodes:
    """Categories of one feature in code order; ``other_code`` is ``None`` when none was rare."""

    name: str
    categories: tuple[str, ...]
    other_code: int | None

    def __post_init__(self) -> None:
        if self.other_code is not None and self.other_code != len(self.categories):
            raise ArtifactInvalid("the other code follows the categories", field=self.name)

    @property
    def n_codes(self) -> int:
        return len(self.categories) + (self.other_code is not None)

    def label(self, code: int) -> str:
        return self.categories[code] if code < len(self.categories) else "(other)"

    def encode(self, values: npt.NDArray[np.object_]) -> FloatArray:
        lookup = {c: float(i) for i, c in enumerate(self.categories)}
        fallback = np.nan if self.other_code is None else float(self.other_code)
        return np.array(
            [np.nan if v is None else lookup.get(v, fallback) for v in values], dtype=np.float64
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "categories": list(self.categories),
            "other_code": self.other_code,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CategoryCodes:
        other = data["other_code"]
        return cls(
            str(data["name"]),
            tuple(str(c) for c in data["categories"]),
            None if other is None else int(other),
        )


def fit_codes(name: str, values: npt.NDArray[np.object_], min_share: float) -> CategoryCodes:
    counts = Counter(v for v in values if v is not None)
    limit = min_share * len(values)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    kept = [c for c in ranked if counts[c] >= limit][:MAX_CODES]
    rare = len(kept) < len(ranked)
    return CategoryCodes(name, tuple(kept), len(kept) if rare else None)
