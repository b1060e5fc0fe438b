"""Binning of a categorical feature by bad rate, with rare categories pooled.

Categories under ``min_category_share`` of the population are pooled into ``(other)``
(an empty pool when none is rare), the categories and the pool are sorted by smoothed bad
rate, and that ordered sequence is merged exactly as numeric fine classes are: so every
categorical binning is monotone in its own order, and unseen categories at predict time
take the pool's bin.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import numpy.typing as npt

from credit.binning.bins import MISSING_LABEL, Bin, FeatureBinning, group_label
from credit.binning.merging import Block, enforce_strict, merge_small, merge_to_count
from credit.binning.woe import BinningSettings, smoothed_woe
from credit.schema import FeatureKind

ObjectArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]


def fit_categorical(
    name: str, values: ObjectArray, y: IntArray, settings: BinningSettings
) -> FeatureBinning:
    """Learn grouped bins for one categorical column (``None`` is missing)."""
    total = len(y)
    prior = float(y.mean()) if total else 0.5
    missing_mask = np.array([v is None for v in values], dtype=bool)
    counts: Counter[str] = Counter()
    bads: Counter[str] = Counter()
    for value, target in zip(values[~missing_mask], y[~missing_mask], strict=True):
        counts[value] += 1
        bads[value] += int(target)

    rare_limit = settings.min_category_share * total
    frequent = sorted(c for c in counts if counts[c] >= rare_limit)
    rare = sorted(c for c in counts if counts[c] < rare_limit)
    units: list[tuple[tuple[str, ...], int, int]] = [((c,), counts[c], bads[c]) for c in frequent]
    units.append((tuple(rare), sum(counts[c] for c in rare), sum(bads[c] for c in rare)))
    other_unit = len(units) - 1

    def smoothed(unit: tuple[tuple[str, ...], int, int]) -> float:
        return (unit[2] + settings.smoothing * prior) / (unit[1] + settings.smoothing)

    order = sorted(range(len(units)), key=lambda i: (smoothed(units[i]), units[i][0]))
    blocks = [Block(units[i][1], units[i][2], [i]) for i in order]
    merge_small(blocks, settings.min_bin_share * total)
    merge_to_count(blocks, settings.max_bins)
    enforce_strict(blocks, True, prior, settings.smoothing)

    groups = tuple(tuple(sorted(c for i in block.members for c in units[i][0])) for block in blocks)
    other_bin = next(k for k, block in enumerate(blocks) if other_unit in block.members)
    labels = [group_label(group, k == other_bin) for k, group in enumerate(groups)]
    missing = int(missing_mask.sum())
    missing_bads = int(y[missing_mask].sum())
    good = np.array([b.count - b.bads for b in blocks] + [missing - missing_bads], dtype=float)
    bad = np.array([b.bads for b in blocks] + [missing_bads], dtype=float)
    woe, iv = smoothed_woe(good, bad, prior, settings.smoothing)
    bins = tuple(
        Bin(label, int(good[i] + bad[i]), int(bad[i]), float(woe[i]), float(iv[i]))
        for i, label in enumerate([*labels, MISSING_LABEL])
    )
    return FeatureBinning(
        name=name,
        kind=FeatureKind.CATEGORICAL,
        bins=bins,
        groups=groups,
        other_bin=other_bin,
        increasing=True,
    )
