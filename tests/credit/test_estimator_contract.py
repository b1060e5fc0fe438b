"""Both models are scikit-learn classifiers: the library's own checks, clone, CV, Pipeline.

``parametrize_with_checks`` runs on numpy input, where its checks apply. No check is
skipped: the tags say what the models are — binary only (``multi_class=False``, so the
multiclass checks assert a clear refusal instead), NaN allowed (missing values get their
own bin), string input allowed (categorical columns) — and the scorecard also declares
itself a transformer (``transform`` gives points per characteristic). The two skips in a
run are scikit-learn's own: its array-API check skips itself unless ``SCIPY_ARRAY_API`` is
set in the environment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.estimator_checks import parametrize_with_checks

from credit import Challenger, Scorecard
from tests.credit.synthetic import CreditData


@parametrize_with_checks([Scorecard(calibration_cv=2), Challenger(max_iter=15, calibration_cv=2)])
def test_scikit_learn_checks(estimator: object, check: object) -> None:
    check(estimator)  # type: ignore[operator]


@pytest.mark.parametrize(
    "model", [Scorecard(C=0.5), Challenger(max_iter=30, calibration_cv=2, n_threads=1)]
)
def test_clone_cross_validation_and_pipeline(model: object, train: CreditData) -> None:
    X, y = train.X.head(1500), train.y[:1500]
    copy = clone(model)
    assert copy.get_params() == model.get_params()  # type: ignore[attr-defined]
    assert not hasattr(copy, "classes_")
    scores = cross_val_score(copy, X, y, cv=3, scoring="roc_auc")
    assert scores.min() > 0.65, scores
    pipe = Pipeline([("same", FunctionTransformer(lambda frame: frame)), ("model", clone(model))])
    pipe.fit(X, y)
    assert pipe.predict_proba(X).shape == (1500, 2)
    assert np.array_equal(pipe.classes_, [0, 1])


def test_numpy_input_gets_positional_names() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3)).astype(object)
    X[:, 2] = rng.choice(["u", "v", None], 400)
    y = (X[:, 0].astype(float) > 0).astype(int)
    model = Scorecard().fit(X, y)
    assert model.schema_.names == ("x0", "x1", "x2")
    assert model.schema_.kind_of("x2").value == "categorical"
    assert not hasattr(model, "feature_names_in_")
    as_frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.warns(UserWarning, match="feature names"):
        model.predict_proba(as_frame)
