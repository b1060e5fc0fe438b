"""The scorecard: points, scaling, calibration, reasons, and awkward input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from credit import InvalidInput, NotFitted, Scorecard, iv_table
from credit.binning import iv_band
from tests.credit.synthetic import NOISE, CreditData, make_credit_data


@pytest.fixture(scope="module")
def card(train: CreditData) -> Scorecard:
    return Scorecard(
        descriptions={"late_share": "Payments made late: {value:.0%} of invoices"}
    ).fit(train.X, train.y)


def test_reaches_the_true_models_auc_and_finds_the_noise(
    card: Scorecard, test_data: CreditData
) -> None:
    model_auc = roc_auc_score(test_data.y, card.predict_proba(test_data.X)[:, 1])
    true_auc = roc_auc_score(test_data.y, test_data.true_pd)
    assert model_auc > true_auc - 0.025, (model_auc, true_auc)
    table = iv_table(card)
    for name in NOISE:
        assert card.iv_[name] < 0.02, (name, card.iv_[name])
        assert name not in card.features_
        assert table.set_index("feature").loc[name, "band"] == "useless"
    assert {"late_share", "utilisation", "income"} <= set(card.features_)


def test_points_add_up_to_the_score_and_the_score_to_the_pd(
    card: Scorecard, test_data: CreditData
) -> None:
    X = test_data.X.head(500)
    points = card.transform(X)
    assert list(points.columns) == list(card.features_)
    assert points.index.equals(X.index)
    score = card.predict_score(X)
    assert np.allclose(points.sum(axis=1).to_numpy(), score, rtol=0, atol=1e-9)
    pd_bad = card.predict_proba(X)[:, 1]
    assert np.allclose(card.scaling_.pd_from_score(score), pd_bad, rtol=1e-12, atol=1e-15)
    assert np.allclose(card.decision_function(X), np.log(pd_bad / (1 - pd_bad)), atol=1e-9)
    assert (np.diff(score[np.argsort(pd_bad)]) <= 1e-9).all(), "higher PD, lower score"


def test_points_table_is_the_card(card: Scorecard) -> None:
    table = card.points_table()
    assert list(table.columns) == ["feature", "bin", "count", "bad_rate", "woe", "iv", "points"]
    assert set(table["feature"]) == set(card.features_)
    for name, rows in table.groupby("feature"):
        present = rows.iloc[:-1]
        binning = card.binnings_[str(name)]
        assert rows["iv"].sum() == pytest.approx(binning.iv)
        # points fall as WoE falls: safer bins are worth more
        order = np.argsort(present["woe"].to_numpy())
        assert (np.diff(present["points"].to_numpy()[order]) >= -1e-9).all()
    # a row taking each feature's first bin scores the sum of those bins' points
    first = table.groupby("feature", sort=False)["points"].first()
    assert first.sum() == pytest.approx(sum(card.points_[n][0] for n in card.features_))


def test_monotone_bad_rate_in_every_numeric_feature(card: Scorecard) -> None:
    for name, binning in card.binnings_.items():
        rates = [b.bad_rate for b in binning.bins[:-1] if b.count]
        if card.schema_.kind_of(name).value == "numeric" and len(rates) > 1:
            steps = np.diff(rates)
            assert (steps > 0).all() or (steps < 0).all(), (name, rates)


def test_reasons_cost_points_are_at_most_four_and_ordered(
    card: Scorecard, test_data: CreditData
) -> None:
    X = test_data.X.head(300)
    all_reasons = card.reasons(X)
    points = card.transform(X)
    best = {n: card.points_[n][:-1].max() for n in card.features_}
    assert len(all_reasons) == len(X)
    for i, reasons in enumerate(all_reasons):
        assert len(reasons) <= 4
        costs = [r.cost for r in reasons]
        assert costs == sorted(costs, reverse=True)
        assert [r.rank for r in reasons] == list(range(1, len(reasons) + 1))
        for r in reasons:
            assert r.to_json()["cost"] == r.cost
            assert r.cost > 0
            assert r.unit == "points"
            assert r.points_lost == r.cost
            assert r.cost == pytest.approx(best[r.feature] - points.iloc[i][r.feature])
            assert r.code == f"R{card.schema_.names.index(r.feature) + 1:02d}"
        named = {r.feature for r in reasons}
        costly = sorted(
            (best[n] - points.iloc[i][n] for n in card.features_ if n not in named), reverse=True
        )
        if costly and len(reasons) == 4:
            assert costly[0] <= costs[-1] + 1e-9, "no costlier factor was left out"
        if len(reasons) < 4:
            assert all(c <= 1e-9 for c in costly), "only factors that cost nothing are left out"


def test_a_best_in_class_applicant_has_no_reasons(card: Scorecard) -> None:
    best_row = {}
    for name in card.schema_.names:
        binning = card.binnings_[name]
        if name not in card.features_:
            best_row[name] = [None]
            continue
        k = int(np.argmax(card.points_[name][:-1]))
        if binning.kind.value == "numeric":
            upper = binning.thresholds[k] if k < len(binning.thresholds) else np.inf
            lower = binning.thresholds[k - 1] if k > 0 else -np.inf
            value = upper if np.isfinite(upper) else lower + 1.0
            best_row[name] = [float(value)]
        else:
            best_row[name] = [binning.groups[k][0]]
    X = pd.DataFrame(best_row)
    for name in ("region", "noise_cat"):
        X[name] = X[name].astype(object)
    X["purpose"] = pd.Categorical(X["purpose"])
    assert card.reasons(X) == [()]


def test_reason_texts(card: Scorecard) -> None:
    X = pd.DataFrame(
        {
            "age": [19],
            "income": [np.nan],
            "late_share": [0.6],
            "utilisation": [0.99],
            "region": ["west"],
            "purpose": pd.Categorical(["business"]),
            "noise_num": [0.0],
            "noise_cat": ["a"],
        }
    )
    texts = {r.feature: r.text for r in card.reasons(X, n=8)[0]}
    assert texts["late_share"] == "Payments made late: 60% of invoices"
    assert texts["utilisation"] == "Value of utilisation (0.99) is in the riskiest range"
    if "income" in texts:
        assert texts["income"] == "No value of income was given"
    with pytest.raises(InvalidInput):
        card.reasons(X, n=0)


def test_unseen_categories_missing_values_and_pd_na_predict(card: Scorecard) -> None:
    X = pd.DataFrame(
        {
            "age": pd.array([30, None], dtype="Int64"),
            "income": [None, 5000.0],
            "late_share": [np.nan, 0.1],
            "utilisation": [0.5, np.inf],
            "region": pd.array(["mars", pd.NA], dtype="string"),
            "purpose": pd.Categorical(["yacht", None]),
            "noise_num": [pd.NA, 1.0],
            "noise_cat": ["zz", None],
        }
    )
    pd_bad = card.predict_proba(X)[:, 1]
    assert np.isfinite(pd_bad).all()
    assert ((pd_bad > 0) & (pd_bad < 1)).all()
    assert set(card.predict_grade(X)) <= set(card.master_scale_.grades)


def test_grade_follows_the_master_scale(card: Scorecard, test_data: CreditData) -> None:
    pd_bad = card.predict_proba(test_data.X.head(100))[:, 1]
    grades = card.predict_grade(test_data.X.head(100))
    assert list(grades) == list(card.grade(pd_bad))
    assert card.grade(0.0001) == "AAA"
    custom = Scorecard(master_scale=(0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.5))
    custom.fit(test_data.X.head(400), test_data.y[:400])
    assert custom.grade(0.3) == "C"


def test_calibration_methods_give_sensible_brier(train: CreditData, test_data: CreditData) -> None:
    from credit import brier

    briers = {}
    for method in ("platt", "isotonic", "none"):
        model = Scorecard(calibration=method).fit(train.X, train.y)
        briers[method] = brier(test_data.y, model.predict_proba(test_data.X)[:, 1])
    truth = brier(test_data.y, test_data.true_pd)
    assert all(b < truth + 0.01 for b in briers.values()), (briers, truth)
    with pytest.raises(InvalidInput):
        Scorecard(calibration="magic").fit(train.X.head(200), train.y[:200])


def test_awkward_but_valid_input() -> None:
    small = make_credit_data(50, seed=5)
    X = small.X.assign(constant=1.0, empty=np.nan, flag=small.X["age"] > 40)
    model = Scorecard().fit(X, pd.Series(small.y.astype(bool)))
    assert model.predict_proba(X).shape == (50, 2)
    assert set(model.classes_) == {False, True}
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(300, 200))
    y = (wide[:, 0] + rng.normal(size=300) > 0).astype(int)
    tiny_wide = Scorecard().fit(wide[:50], y[:50])
    assert tiny_wide.predict_proba(wide[:5]).shape == (5, 2)
    wide_model = Scorecard().fit(wide, y)
    assert wide_model.schema_.names[:2] == ("x0", "x1")
    assert "x0" in wide_model.features_
    assert wide_model.predict_proba(wide).shape == (300, 2)


def test_refusals() -> None:
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(InvalidInput, match="only one class"):
        Scorecard().fit(X, [0, 0, 0, 0])
    with pytest.raises(InvalidInput, match="binary"):
        Scorecard().fit(X, [0, 1, 2, 1])
    with pytest.raises(NotFitted):
        Scorecard().predict_proba(X)
    with pytest.raises(NotFitted):
        Scorecard().points_table()
    model = Scorecard().fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="Feature names"):
        model.predict(pd.DataFrame({"b": [1.0]}))
    assert iv_band(0.01) == "useless"
    assert iv_band(0.6) == "suspicious"


def test_scaling_is_kept_with_the_model(train: CreditData) -> None:
    X, y = train.X.head(1500), train.y[:1500]
    default = Scorecard().fit(X, y)
    other = Scorecard(base_points=500, base_odds=50, pdo=40).fit(X, y)
    assert np.allclose(other.predict_proba(X), default.predict_proba(X), atol=1e-12)
    s1, s2 = default.predict_score(X), other.predict_score(X)
    assert np.allclose(s2 - 500, 2 * (s1 - 600), atol=1e-8)
    at_50_to_1 = default.scaling_.pd_from_score(np.array([600.0]))[0]
    assert at_50_to_1 == pytest.approx(1 / 51)


def test_assessing_in_one_binning_gives_what_the_separate_methods_give(
    card: Scorecard, test_data: CreditData
) -> None:
    """The scorer's fast path (PD, points and reasons from one binning) changes nothing."""
    columns = card._columns(test_data.X)
    pd_bad, points, reasons = card.assess_of(columns, 4)
    np.testing.assert_array_equal(pd_bad, card.pd_of(columns))
    np.testing.assert_array_equal(points, card.score_of(columns))
    assert reasons == card.reasons_of(columns, 4)
    np.testing.assert_array_equal(pd_bad, card.predict_proba(test_data.X)[:, 1])
