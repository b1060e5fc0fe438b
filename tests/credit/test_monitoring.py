"""PSI and CSI: identical populations are stable, shifted ones call for action."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit import PopulationShiftWarning, csi, psi, stability_band


def test_identical_populations_are_stable() -> None:
    rng = np.random.default_rng(0)
    scores = rng.normal(600, 40, 20_000)
    result = psi(scores, scores.copy())
    assert result.value == pytest.approx(0.0, abs=1e-12)
    assert result.band == "stable"
    resampled = psi(scores, rng.normal(600, 40, 20_000))
    assert resampled.value < 0.01


def test_shifted_population_calls_for_action() -> None:
    rng = np.random.default_rng(1)
    expected = rng.normal(600, 40, 10_000)
    with pytest.warns(PopulationShiftWarning, match="act"):
        result = psi(expected, rng.normal(640, 40, 10_000))
    assert result.value > 0.25
    assert result.band == "act"
    with pytest.warns(PopulationShiftWarning, match="watch"):
        mild = psi(expected, rng.normal(615, 40, 10_000))
    assert 0.10 <= mild.value <= 0.25
    assert stability_band(0.05) == "stable"
    assert stability_band(0.2) == "watch"
    assert stability_band(0.3) == "act"


def test_bins_are_fixed_from_the_expected_population() -> None:
    rng = np.random.default_rng(2)
    expected = rng.uniform(0, 1, 5000)
    outside = np.full(1000, 5.0)
    result = psi(expected, outside, warn=False)
    table = result.table
    assert table["expected"].iloc[:-1].round(2).tolist() == [0.1] * 10
    assert table["actual"].iloc[-2] == 1.0
    assert np.isfinite(result.value)
    assert result.value > 1.0


def test_categorical_inputs_unseen_and_missing() -> None:
    expected = pd.Series(["a"] * 500 + ["b"] * 500)
    actual = pd.Series(["a"] * 300 + ["c"] * 200 + [None] * 500)
    result = psi(expected, actual, warn=False)
    table = result.table.set_index("bin")
    assert table.loc["(other)", "actual"] == 0.2
    assert table.loc["(missing)", "actual"] == 0.5
    assert table.loc["(missing)", "expected"] == 0.0
    assert result.band == "act"


def test_csi_per_feature_worst_first() -> None:
    rng = np.random.default_rng(3)
    train = pd.DataFrame({"stable": rng.normal(size=4000), "cat": rng.choice(list("xyz"), 4000)})
    later = pd.DataFrame({"stable": rng.normal(size=4000), "cat": rng.choice(list("xxxy"), 4000)})
    table = csi(train, later, warn=False)
    assert table["feature"].tolist() == ["cat", "stable"]
    assert table.iloc[0]["band"] == "act"
    assert table.iloc[1]["band"] == "stable"
