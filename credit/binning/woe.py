"""Weight of evidence and information value with smoothing toward the population.

WoE of a bin is ``ln(share of goods / share of bads)``: positive means safer than the
population. A bin with no bads (or no goods) would have infinite WoE, so counts are
smoothed additively (Laplace smoothing) with ``smoothing`` pseudo-borrowers per bin, split
between goods and bads in the population's proportions. That choice makes an empty bin's
WoE exactly 0 (no evidence: the population's odds) and keeps pure bins finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from credit.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]

IV_BANDS: tuple[tuple[float, str], ...] = (
    (0.02, "useless"),
    (0.1, "weak"),
    (0.3, "medium"),
    (0.5, "strong"),
)


def iv_band(iv: float) -> str:
    """The usual reading of an information value: useless, weak, medium, strong, suspicious.

    Above 0.5 a characteristic is "suspicious": it predicts so well that it may leak the
    outcome (e.g. a field filled in after default).
    """
    for upper, name in IV_BANDS:
        if iv < upper:
            return name
    return "suspicious"


@dataclass(frozen=True, slots=True)
class BinningSettings:
    """How coarse the classes may be.

    ``max_bins`` and ``min_bin_share`` bound the non-missing bins; ``fine_bins`` is the
    number of quantile classes to start from; ``min_category_share`` pools rarer categories
    into ``(other)``; ``smoothing`` is the Laplace pseudo-count per bin.
    """

    max_bins: int = 8
    min_bin_share: float = 0.05
    fine_bins: int = 20
    min_category_share: float = 0.01
    smoothing: float = 1.0

    def __post_init__(self) -> None:
        if self.max_bins < 1:
            raise InvalidInput("max_bins must be at least 1", field="max_bins")
        if not 0.0 <= self.min_bin_share < 0.5:
            raise InvalidInput("min_bin_share must be in [0, 0.5)", field="min_bin_share")
        if self.fine_bins < self.max_bins:
            raise InvalidInput("fine_bins must be at least max_bins", field="fine_bins")
        if not 0.0 <= self.min_category_share < 1.0:
            raise InvalidInput("min_category_share must be in [0, 1)", field="min_category_share")
        if self.smoothing <= 0.0:
            raise InvalidInput("smoothing must be positive", field="smoothing")


def smoothed_woe(
    goods: FloatArray, bads: FloatArray, bad_rate: float, smoothing: float
) -> tuple[FloatArray, FloatArray]:
    """WoE and IV contribution of each bin from its good and bad counts.

    ``bad_rate`` is the population's; with pseudo-counts ``smoothing * (1 - bad_rate)``
    goods and ``smoothing * bad_rate`` bads per bin the smoothed totals keep the
    population's odds, so ``WoE = ln(g'/b') - ln((1 - p)/p)``.
    """
    p = min(max(bad_rate, 1e-12), 1 - 1e-12)
    g = goods + smoothing * (1.0 - p)
    b = bads + smoothing * p
    woe = np.log(g / b) - np.log((1.0 - p) / p)
    share_good = g / g.sum()
    share_bad = b / b.sum()
    iv = (share_good - share_bad) * woe
    return woe, iv


def smoothed_bad_rate(
    goods: FloatArray, bads: FloatArray, bad_rate: float, smoothing: float
) -> FloatArray:
    """The bad rate each smoothed WoE stands for (what monotonicity is enforced on)."""
    return (bads + smoothing * bad_rate) / (goods + bads + smoothing)
