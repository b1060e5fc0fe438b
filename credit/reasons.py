"""Reason codes: the principal factors behind an adverse decision, in words.

US Regulation B asks a lender to give at most four principal reasons for an adverse
action, and black-box models are not exempt. Each model ranks its factors by what they
cost the applicant — points lost against the best attainable points of the characteristic
(scorecard), or the fall in PD had the factor been at its best attainable value
(challenger) — and keeps only factors that cost something. This module holds the value
type and the wording; the models compute the costs.

Wording comes from ``descriptions``: a mapping from feature name to a template that may use
``{value}`` and ``{bin}``, e.g. ``"Payments made late on the ledger: {value:.0%} of
invoices"``. A feature without one gets a generic text naming the feature and its value.
A missing value reads ``"<text before the first {>: not known"`` or
``"No value of <feature> was given"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from credit.errors import InvalidInput

MAX_REASONS = 4
NO_COST = 1e-9


@dataclass(frozen=True, slots=True)
class Reason:
    """One principal reason for one row.

    ``cost`` is what the factor costs the applicant in the model's own unit: points lost
    (``unit == "points"``, scorecard) or PD added (``unit == "pd"``, challenger). It is
    always positive: a factor that costs nothing is never a reason.
    """

    rank: int
    code: str
    feature: str
    value: object
    bin: str | None
    cost: float
    unit: str
    text: str

    def __post_init__(self) -> None:
        if not self.cost > 0:
            raise InvalidInput("a reason must cost the applicant something", field="cost")
        if self.unit not in ("points", "pd"):
            raise InvalidInput("a reason's unit is points or pd", field="unit")

    def to_json(self) -> dict[str, object]:
        """A plain mapping for an API body or an adverse-action letter."""
        return {
            "rank": self.rank,
            "code": self.code,
            "feature": self.feature,
            "value": self.value,
            "bin": self.bin,
            "cost": self.cost,
            "unit": self.unit,
            "text": self.text,
        }

    @property
    def points_lost(self) -> float | None:
        return self.cost if self.unit == "points" else None

    @property
    def pd_delta(self) -> float | None:
        return self.cost if self.unit == "pd" else None


def reason_code(position: int) -> str:
    """Stable code of the feature at ``position`` in the fitted schema: R01, R02, ..."""
    return f"R{position + 1:02d}"


def check_count(n: int) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidInput("the number of reasons must be a positive integer", field="n")
    return n


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def plain_value(value: object) -> object:
    """A row's value as a plain Python object; a missing one is ``None``."""
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else format(value, ".4g")
    return str(value)


def reason_text(
    feature: str,
    value: object,
    bin_label: str | None,
    descriptions: Mapping[str, str] | None,
    riskiest: bool,
) -> str:
    """The borrower-facing sentence for one factor (see the module docstring)."""
    template = (descriptions or {}).get(feature)
    if is_missing(value):
        if template:
            head = template.split("{", 1)[0].rstrip(" :")
            if head:
                return f"{head}: not known"
        return f"No value of {feature} was given"
    if template:
        try:
            return template.format(value=value, bin=bin_label)
        except (KeyError, IndexError, ValueError, TypeError):
            pass
    where = "the riskiest range" if riskiest else "a higher-risk range"
    return f"Value of {feature} ({format_value(value)}) is in {where}"


@dataclass(frozen=True, slots=True)
class Factor:
    """A candidate reason before ranking: one feature of one row and its cost."""

    position: int
    feature: str
    value: object
    bin: str | None
    cost: float
    riskiest: bool


def rank_reasons(
    factors: Sequence[Factor], n: int, unit: str, descriptions: Mapping[str, str] | None
) -> tuple[Reason, ...]:
    """The ``n`` costliest factors (ties by feature order), dropping those that cost nothing."""
    costly = [f for f in factors if f.cost > NO_COST]
    costly.sort(key=lambda f: (-f.cost, f.position))
    return tuple(
        Reason(
            rank=i + 1,
            code=reason_code(f.position),
            feature=f.feature,
            value=f.value,
            bin=f.bin,
            cost=f.cost,
            unit=unit,
            text=reason_text(f.feature, f.value, f.bin, descriptions, f.riskiest),
        )
        for i, f in enumerate(costly[:n])
    )
