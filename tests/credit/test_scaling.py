"""Points scaling and the master scale against the DOMAIN constants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from credit import InvalidInput, MasterScale, PointsScaling


def test_default_scaling_matches_the_domain_constants() -> None:
    scaling = PointsScaling()
    assert scaling.factor == pytest.approx(28.854, abs=5e-4)
    assert scaling.offset == pytest.approx(487.123, abs=5e-4)
    assert scaling.points_from_odds(50) == pytest.approx(600.0, abs=1e-9)
    assert scaling.points_from_odds(100) == pytest.approx(620.0, abs=1e-9)
    assert scaling.points_from_odds(25) == pytest.approx(580.0, abs=1e-9)


def test_score_and_pd_are_inverse() -> None:
    scaling = PointsScaling()
    pd_at_600 = float(scaling.pd_from_score(np.array([600.0]))[0])
    assert pd_at_600 == pytest.approx(1 / 51, rel=1e-12)
    logits = np.linspace(-8, 8, 33)
    back = scaling.pd_from_score(scaling.score_from_logit(logits))
    assert np.allclose(back, 1 / (1 + np.exp(-logits)), rtol=1e-12, atol=0)


def test_scaling_is_configurable() -> None:
    scaling = PointsScaling(base_points=500, base_odds=20, pdo=40)
    assert scaling.factor == pytest.approx(40 / math.log(2))
    assert scaling.points_from_odds(20) == pytest.approx(500)
    assert scaling.points_from_odds(40) == pytest.approx(540)
    with pytest.raises(InvalidInput):
        PointsScaling(pdo=0)


def test_master_scale_grades_in_order() -> None:
    scale = MasterScale()
    assert [b.grade for b in scale.bands] == [
        "AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"
    ]  # fmt: skip
    assert scale.grade(0.0) == "AAA"
    assert scale.grade(0.5) == "D"
    pds = np.array([0.0005, 0.003, 0.03, 0.2, 0.9])
    assert list(scale.grade(pds)) == ["AAA", "A", "B", "C", "D"]
    lower = [scale.grade(b.lower) for b in scale.bands]
    assert lower == list(scale.grades), "each band's lower bound belongs to that band"


def test_master_scale_refuses_bad_bands() -> None:
    with pytest.raises(InvalidInput):
        MasterScale(upper_pd=(0.1, 0.05, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8))
    with pytest.raises(InvalidInput):
        MasterScale(upper_pd=(0.1,))
    with pytest.raises(InvalidInput):
        MasterScale().grade(float("nan"))
