"""Binning invariants, on hypothesis-drawn data and on hand-made cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from credit.binning import BinningSettings, fit_categorical, fit_numeric
from credit.binning.bins import OTHER_LABEL

SETTINGS = BinningSettings()


@st.composite
def numeric_sample(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(20, 400))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    distinct = draw(st.sampled_from([2, 5, 50, 10_000]))
    x = rng.integers(0, distinct, n).astype(float) * draw(st.sampled_from([1.0, 0.01, -3.0]))
    slope = draw(st.floats(-3, 3))
    shape = draw(st.sampled_from(["linear", "u"]))
    z = slope * (x - x.mean()) / (x.std() + 1e-9)
    if shape == "u":
        z = z**2 - 1
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
    x[rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.5]))] = np.nan
    if y.min() == y.max():
        y[0] = 1 - y[0]
    return x, y


@settings(max_examples=60, deadline=None)
@given(numeric_sample())
def test_numeric_bins_are_monotone_large_enough_and_cover_everything(
    sample: tuple[np.ndarray, np.ndarray],
) -> None:
    x, y = sample
    binning = fit_numeric("x", x, y, SETTINGS)
    present = binning.bins[:-1]
    assert 1 <= len(present) <= SETTINGS.max_bins
    assert sum(b.count for b in binning.bins) == len(y)
    assert binning.bins[-1].count == int(np.isnan(x).sum())
    rates = [b.bad_rate for b in present if b.count]
    steps = np.diff(rates)
    assert (steps > 0).all() or (steps < 0).all() or len(rates) <= 1, rates
    woes = [b.woe for b in present if b.count]
    woe_steps = np.diff(woes)
    assert (woe_steps < 0).all() or (woe_steps > 0).all() or len(woes) <= 1
    if len(present) > 1:
        assert min(b.count for b in present) >= SETTINGS.min_bin_share * len(y)
    index = binning.assign(x)
    counts = np.bincount(index, minlength=len(binning.bins))
    assert counts.tolist() == [b.count for b in binning.bins]
    assert np.isfinite(binning.woes).all()


def test_numeric_bins_follow_a_falling_risk() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=4000)
    y = (rng.random(4000) < 1 / (1 + np.exp(2 * x))).astype(np.int64)
    binning = fit_numeric("x", x, y, SETTINGS)
    assert not binning.increasing
    rates = [b.bad_rate for b in binning.bins[:-1]]
    assert rates == sorted(rates, reverse=True)
    assert len(rates) >= 5


def test_constant_and_all_missing_columns_get_one_bin() -> None:
    y = np.array([0, 1] * 50)
    constant = fit_numeric("c", np.full(100, 3.0), y, SETTINGS)
    assert len(constant.bins) == 2
    assert constant.iv < 1e-9
    empty = fit_numeric("m", np.full(100, np.nan), y, SETTINGS)
    assert len(empty.bins) == 2
    assert empty.bins[0].count == 0
    assert empty.bins[0].woe == 0.0, "an empty bin carries no evidence"
    assert empty.assign(np.array([1.0, np.nan])).tolist() == [0, 1]


def test_empty_missing_bin_is_neutral_and_pure_bins_are_finite() -> None:
    x = np.arange(200, dtype=float)
    y = (x >= 100).astype(np.int64)
    binning = fit_numeric("x", x, y, SETTINGS)
    assert binning.bins[-1].count == 0
    assert binning.bins[-1].woe == 0.0
    assert np.isfinite(binning.woes).all()
    assert binning.assign(np.array([np.nan]))[0] == binning.missing_bin


def test_categories_are_grouped_by_bad_rate_with_rare_ones_pooled() -> None:
    rng = np.random.default_rng(3)
    cats = rng.choice(["a", "b", "c", "d"], 5000, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
    cats[:20] = "rare_one"
    cats[20:30] = None
    risk = {"a": 0.1, "b": 0.2, "c": 0.35, "d": 0.6, "rare_one": 0.5}
    y = np.array([rng.random() < risk.get(c, 0.2) for c in cats], dtype=np.int64)
    binning = fit_categorical("cat", cats, y, SETTINGS)
    rates = [b.bad_rate for b in binning.bins[:-1]]
    assert rates == sorted(rates)
    assert binning.bins[-1].count == 10
    other = binning.bins[binning.other_bin]
    assert OTHER_LABEL in other.label
    assert "rare_one" in binning.groups[binning.other_bin]
    index = binning.assign(np.array(["never_seen", None, "a"], dtype=object))
    assert index[0] == binning.other_bin
    assert index[1] == binning.missing_bin
    assert index[2] == binning.assign(np.array(["a"], dtype=object))[0]


def test_unseen_category_without_rare_ones_lands_in_a_middling_bin() -> None:
    rng = np.random.default_rng(4)
    cats = rng.choice(["a", "b", "c"], 3000).astype(object)
    risk = {"a": 0.1, "b": 0.3, "c": 0.6}
    y = np.array([rng.random() < risk[c] for c in cats], dtype=np.int64)
    binning = fit_categorical("cat", cats, y, SETTINGS)
    unseen = binning.assign(np.array(["zzz"], dtype=object))[0]
    assert unseen == binning.other_bin
    woe = binning.bins[unseen].woe
    assert min(binning.woes[:-1]) <= woe <= max(binning.woes[:-1])
