"""A fitted binning of one feature: its bins and how values are assigned to them.

Numeric bins are right-closed intervals between sorted thresholds,
``(-inf, t0], (t0, t1], ..., (tk, inf)``. Categorical bins are groups of categories; one of
them holds ``(other)``, the pooled rare categories, and unseen categories at predict time
go there (when no category was rare, ``(other)`` was an empty member placed at the
population's bad rate, so an unseen category lands in a middling bin). Missing values have
their own bin, always last; when training had none its WoE is 0 (the population's odds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from credit.errors import ArtifactInvalid
from credit.schema import FeatureKind

MISSING_LABEL = "(missing)"
OTHER_LABEL = "(other)"
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Bin:
    """One class of a feature, with its training counts and weight of evidence."""

    label: str
    count: int
    bads: int
    woe: float
    iv: float

    @property
    def bad_rate(self) -> float:
        """Training bad rate of the bin (NaN for an empty bin)."""
        return self.bads / self.count if self.count else math.nan


@dataclass(frozen=True, slots=True)
class FeatureBinning:
    """The bins of one feature; the last bin is always the missing bin."""

    name: str
    kind: FeatureKind
    bins: tuple[Bin, ...]
    thresholds: tuple[float, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    other_bin: int = 0
    increasing: bool = True
    _lookup: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup = {category: i for i, group in enumerate(self.groups) for category in group}
        object.__setattr__(self, "_lookup", lookup)
        present = len(self.bins) - 1
        if present < 1:
            raise ArtifactInvalid("a binning needs a missing bin and one more", field=self.name)
        if self.kind is FeatureKind.NUMERIC and len(self.thresholds) != present - 1:
            raise ArtifactInvalid("numeric bins need one threshold fewer", field=self.name)
        if self.kind is FeatureKind.NUMERIC and list(self.thresholds) != sorted(
            set(self.thresholds)
        ):
            raise ArtifactInvalid("thresholds must rise strictly", field=self.name)
        if self.kind is FeatureKind.CATEGORICAL and (
            len(self.groups) != present or not 0 <= self.other_bin < present
        ):
            raise ArtifactInvalid("categorical bins need one group each", field=self.name)

    @property
    def missing_bin(self) -> int:
        return len(self.bins) - 1

    @property
    def iv(self) -> float:
        """Information value of the feature: the sum of its bins' contributions."""
        return float(sum(b.iv for b in self.bins))

    @property
    def woes(self) -> npt.NDArray[np.float64]:
        return np.array([b.woe for b in self.bins], dtype=np.float64)

    def assign(self, values: npt.NDArray[Any]) -> IntArray:
        """Bin index of each value (float array for numeric, str/None objects otherwise)."""
        if self.kind is FeatureKind.NUMERIC:
            numbers = np.asarray(values, dtype=np.float64)
            index = np.searchsorted(np.asarray(self.thresholds), numbers, side="left")
            out: IntArray = np.where(np.isnan(numbers), self.missing_bin, index).astype(np.intp)
            return out
        lookup, other, missing = self._lookup, self.other_bin, self.missing_bin
        codes: IntArray = np.fromiter(
            (missing if v is None else lookup.get(v, other) for v in values),
            dtype=np.intp,
            count=len(values),
        )
        return codes

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "bins": [[b.label, b.count, b.bads, b.woe, b.iv] for b in self.bins],
            "thresholds": list(self.thresholds),
            "groups": [list(g) for g in self.groups],
            "other_bin": self.other_bin,
            "increasing": self.increasing,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureBinning:
        try:
            bins = tuple(
                Bin(str(label), int(count), int(bads), float(woe), float(iv))
                for label, count, bads, woe, iv in data["bins"]
            )
            return cls(
                name=str(data["name"]),
                kind=FeatureKind(data["kind"]),
                bins=bins,
                thresholds=tuple(float(t) for t in data["thresholds"]),
                groups=tuple(tuple(str(c) for c in g) for g in data["groups"]),
                other_bin=int(data["other_bin"]),
                increasing=bool(data["increasing"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactInvalid(f"malformed binning: {exc}", field="binnings") from exc


def interval_label(lower: float, upper: float) -> str:
    """``(lower, upper]`` with compact numbers; the last interval is open, ``(t, inf)``."""
    right = ")" if math.isinf(upper) else "]"
    return f"({_num(lower)}, {_num(upper)}{right}"


def _num(value: float) -> str:
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return format(value, ".6g")


def group_label(members: tuple[str, ...], holds_other: bool, limit: int = 6) -> str:
    """Categories of a group, the first few by name, ``(other)`` when it holds the pool."""
    names = list(members[:limit])
    if len(members) > limit:
        names.append(f"... {len(members) - limit} more")
    if holds_other:
        names.append(OTHER_LABEL)
    return ", ".join(names) if names else OTHER_LABEL
