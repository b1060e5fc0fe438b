"""The challenger: its own tree evaluation, reasons by best attainable value, constraints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from credit import Challenger, InvalidInput
from credit.models.trees import from_sklearn
from tests.credit.synthetic import CreditData, make_credit_data


@pytest.fixture(scope="module")
def challenger(train: CreditData) -> Challenger:
    return Challenger(max_iter=80, descriptions={"late_share": "Late payments: {value:.0%}"}).fit(
        train.X, train.y
    )


def test_ranks_well_on_known_signal(challenger: Challenger, test_data: CreditData) -> None:
    model_auc = roc_auc_score(test_data.y, challenger.predict_proba(test_data.X)[:, 1])
    true_auc = roc_auc_score(test_data.y, test_data.true_pd)
    assert model_auc > true_auc - 0.04, (model_auc, true_auc)


@pytest.mark.parametrize("categorical", [False, True])
def test_own_tree_evaluation_equals_scikit_learns(categorical: bool) -> None:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 4))
    X[:, 2] = rng.integers(0, 12, 3000)
    X[rng.random(3000) < 0.1, 1] = np.nan
    X[rng.random(3000) < 0.05, 2] = np.nan
    z = X[:, 0] + np.where(np.isin(X[:, 2], [1, 4, 7]), 1.5, 0.0) + np.nan_to_num(X[:, 1])
    y = (rng.random(3000) < 1 / (1 + np.exp(-z))).astype(int)
    mask = [False, False, categorical, False]
    booster = HistGradientBoostingClassifier(
        max_iter=30, categorical_features=mask, random_state=0
    ).fit(X, y)
    ensemble = from_sklearn(booster, 4)
    probe = X.copy()
    probe[:50, 2] = 11.0 if categorical else probe[:50, 2]
    expected = booster._raw_predict(probe)[:, 0]
    assert np.array_equal(ensemble.walk(probe), expected), "the numpy reference walk"
    assert np.array_equal(ensemble.raw(probe), expected), "the compiled fast path"
    assert ensemble._fast[0] is not None, "the fast path is in use on this scikit-learn"


def test_reasons_are_real_pd_reductions(challenger: Challenger, test_data: CreditData) -> None:
    X = test_data.X.head(40).reset_index(drop=True)
    pd_now = challenger.predict_proba(X)[:, 1]
    for i, reasons in enumerate(challenger.reasons(X)):
        assert len(reasons) <= 4
        costs = [r.cost for r in reasons]
        assert costs == sorted(costs, reverse=True)
        for r in reasons:
            assert r.unit == "pd"
            assert r.pd_delta == r.cost > 0
            assert r.cost <= pd_now[i] + 1e-12
        if not reasons:
            continue
        top = reasons[0]
        j = challenger.schema_.names.index(top.feature)
        encoded = challenger._encode(challenger._columns(X.iloc[[i]]))
        grid = challenger.candidates_[top.feature]
        trial = np.repeat(encoded, len(grid), axis=0)
        trial[:, j] = grid
        best_pd = 1 / (1 + np.exp(-challenger._calibrated(trial)))
        assert pd_now[i] - best_pd.min() == pytest.approx(top.cost, abs=1e-12)


def test_reason_text_uses_descriptions(challenger: Challenger, test_data: CreditData) -> None:
    X = test_data.X.head(1).copy()
    X["late_share"] = 0.9
    reasons = challenger.reasons(X, n=8)[0]
    late = [r for r in reasons if r.feature == "late_share"]
    assert late
    assert late[0].text == "Late payments: 90%"


def test_monotone_constraint_holds(train: CreditData) -> None:
    model = Challenger(max_iter=40, monotonic_cst={"late_share": 1, "income": -1}).fit(
        train.X, train.y
    )
    row = train.X.head(1)
    grid = np.linspace(0, 0.9, 25)
    frame = pd.concat([row] * len(grid), ignore_index=True)
    frame["late_share"] = grid
    pd_bad = model.predict_proba(frame)[:, 1]
    assert (np.diff(pd_bad) >= -1e-12).all()
    with pytest.raises(InvalidInput):
        Challenger(monotonic_cst={"region": 1}).fit(train.X.head(300), train.y[:300])
    with pytest.raises(InvalidInput):
        Challenger(monotonic_cst={"nope": 1}).fit(train.X.head(300), train.y[:300])


def test_unseen_and_missing_at_predict_time(challenger: Challenger) -> None:
    X = pd.DataFrame(
        {
            "age": [None, 30],
            "income": [np.nan, 1e9],
            "late_share": [None, 0.0],
            "utilisation": [np.nan, 0.2],
            "region": ["atlantis", None],
            "purpose": pd.Categorical(["yacht", None]),
            "noise_num": [np.nan, 0.0],
            "noise_cat": [None, "zz"],
        }
    )
    pd_bad = challenger.predict_proba(X)[:, 1]
    assert np.isfinite(pd_bad).all()
    assert len(challenger.reasons(X)) == 2


def test_tiny_and_wide_data() -> None:
    small = make_credit_data(50, seed=9)
    X = small.X.assign(constant="same", empty=np.nan)
    assert Challenger().fit(X, small.y).predict_proba(X).shape == (50, 2)
    rng = np.random.default_rng(1)
    wide = rng.normal(size=(300, 200))
    y = (wide[:, 3] > 0).astype(int)
    tiny_wide = Challenger(max_iter=20, n_threads=1).fit(wide[:50], y[:50])
    assert tiny_wide.predict_proba(wide[:5]).shape == (5, 2)
    model = Challenger(max_iter=20, calibration_cv=2).fit(wide, y)
    assert model.predict_proba(wide).shape == (300, 2)
