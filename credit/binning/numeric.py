"""Monotone binning of a numeric feature.

Fine classing by quantiles (each threshold an observed value, so no fine class is empty),
then pool-adjacent-violators in the direction of the trend, then merging of classes under
the minimum share and of the most alike neighbours down to the maximum number of bins.
Both directions are fitted and the one with the higher information value is kept, so a
feature whose risk falls with its value is not forced upward. Peaks and valleys are not
allowed: a U-shaped risk is flattened, which is the price of points a borrower can reason
about ("more of this is always better").
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from credit.binning.bins import MISSING_LABEL, Bin, FeatureBinning, interval_label
from credit.binning.merging import (
    Block,
    enforce_strict,
    merge_small,
    merge_to_count,
    pool_adjacent_violators,
)
from credit.binning.woe import BinningSettings, smoothed_woe
from credit.schema import FeatureKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def fine_thresholds(values: FloatArray, fine_bins: int) -> FloatArray:
    """Distinct quantile values of ``values`` below their maximum: right-closed edges."""
    if values.size == 0:
        return np.empty(0)
    levels = np.linspace(0.0, 1.0, fine_bins + 1)[1:-1]
    edges = np.unique(np.quantile(values, levels, method="inverted_cdf"))
    out: FloatArray = edges[edges < values.max()]
    return out


def fit_numeric(
    name: str, values: FloatArray, y: IntArray, settings: BinningSettings
) -> FeatureBinning:
    """Learn monotone bins for one numeric column (NaN is missing) and a 0/1 target."""
    total = len(y)
    prior = float(y.mean()) if total else 0.5
    present = ~np.isnan(values)
    x, t = values[present], y[present]
    edges = fine_thresholds(x, settings.fine_bins)
    index = np.searchsorted(edges, x, side="left")
    counts = np.bincount(index, minlength=len(edges) + 1)
    bads = np.bincount(index, weights=t, minlength=len(edges) + 1)
    fine = [
        Block(int(c), round(float(b)), [i])
        for i, (c, b) in enumerate(zip(counts, bads, strict=True))
    ]

    best: tuple[float, bool, list[Block]] | None = None
    for increasing in (True, False):
        blocks = pool_adjacent_violators(fine, increasing, prior)
        merge_small(blocks, settings.min_bin_share * total)
        merge_to_count(blocks, settings.max_bins)
        enforce_strict(blocks, increasing, prior, settings.smoothing)
        iv = _iv(blocks, total - int(present.sum()), int(y[~present].sum()), prior, settings)
        if best is None or iv > best[0] + 1e-12:
            best = (iv, increasing, blocks)
    assert best is not None
    _, increasing, blocks = best

    uppers = [float(edges[b.members[-1]]) for b in blocks[:-1]]
    lowers = [-math.inf, *uppers]
    labels = [interval_label(lo, hi) for lo, hi in zip(lowers, [*uppers, math.inf], strict=True)]
    missing_count = total - int(present.sum())
    missing_bads = int(y[~present].sum())
    return FeatureBinning(
        name=name,
        kind=FeatureKind.NUMERIC,
        bins=_bins(blocks, labels, missing_count, missing_bads, prior, settings),
        thresholds=tuple(uppers),
        increasing=increasing,
    )


def _iv(
    blocks: list[Block], missing: int, missing_bads: int, prior: float, s: BinningSettings
) -> float:
    goods, bads = _counts(blocks, missing, missing_bads)
    return float(smoothed_woe(goods, bads, prior, s.smoothing)[1].sum())


def _counts(blocks: list[Block], missing: int, missing_bads: int) -> tuple[FloatArray, FloatArray]:
    counts = np.array([b.count for b in blocks] + [missing], dtype=np.float64)
    bads = np.array([b.bads for b in blocks] + [missing_bads], dtype=np.float64)
    return counts - bads, bads


def _bins(
    blocks: list[Block],
    labels: list[str],
    missing: int,
    missing_bads: int,
    prior: float,
    settings: BinningSettings,
) -> tuple[Bin, ...]:
    """Bins with smoothed WoE; the missing bin (last) gets WoE 0 when it was empty."""
    goods, bads = _counts(blocks, missing, missing_bads)
    woe, iv = smoothed_woe(goods, bads, prior, settings.smoothing)
    out = []
    for i, label in enumerate([*labels, MISSING_LABEL]):
        count = int(goods[i] + bads[i])
        out.append(Bin(label, count, int(bads[i]), float(woe[i]), float(iv[i])))
    return tuple(out)
