"""Evaluation figures against scikit-learn and hand counts, and the written report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from credit import (
    InvalidInput,
    MasterScale,
    Scorecard,
    auc,
    bootstrap_auc,
    brier,
    calibration_by_grade,
    gini,
    iv_table,
    ks,
    lender_loss,
    reliability_table,
    write_report,
)
from tests.credit.synthetic import NOISE, CreditData

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def scored() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    pd_bad = rng.uniform(0.001, 0.6, 3000).round(3)
    y = (rng.random(3000) < pd_bad).astype(int)
    return y, pd_bad


def test_auc_gini_ks_brier_agree_with_scikit_learn(scored: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = scored
    assert auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert gini(y, p) == pytest.approx(2 * roc_auc_score(y, p) - 1, abs=1e-12)
    fpr, tpr, _ = roc_curve(y, p)
    assert ks(y, p) == pytest.approx(np.max(tpr - fpr), abs=1e-12)
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-15)
    assert ks([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    with pytest.raises(InvalidInput):
        auc([1, 1], [0.2, 0.3])


def test_bootstrap_interval_is_seeded_and_covers_the_estimate(
    scored: tuple[np.ndarray, np.ndarray],
) -> None:
    y, p = scored
    a = bootstrap_auc(y, p, resamples=200, seed=3)
    b = bootstrap_auc(y, p, resamples=200, seed=3)
    c = bootstrap_auc(y, p, resamples=200, seed=4)
    assert a == b
    assert a != c
    assert a.lower < a.estimate < a.upper
    assert 0.01 < a.upper - a.lower < 0.1


def test_lender_loss_approves_the_best_scored_share() -> None:
    y = np.array([0, 1, 0, 1, 0, 1, 0, 0, 1, 1])
    p = np.array([0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.6, 0.7, 0.8, 0.9])
    exposure = np.arange(1, 11) * 100.0
    loss = lender_loss(y, p, approval_rate=0.5, exposure=exposure, lgd=0.5)
    assert loss.approved == 5
    assert loss.approved_bads == 2
    assert loss.loss == pytest.approx(0.5 * (200 + 400))
    assert loss.loss_rate == pytest.approx(300 / 1500)
    with pytest.raises(InvalidInput):
        lender_loss(y, p, approval_rate=0.0)


def test_calibration_and_reliability_tables(scored: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = scored
    by_grade = calibration_by_grade(y, p)
    assert by_grade["count"].sum() == len(y)
    assert list(by_grade["grade"]) == [
        g for g in MasterScale().grades if g in set(by_grade["grade"])
    ]
    worst = by_grade.iloc[-1]
    assert worst["grade"] == "D"
    assert abs(worst["observed_pd"] - worst["predicted_pd"]) < 0.05
    table = reliability_table(y, p, bins=10)
    assert table["count"].sum() == len(y)
    assert (np.diff(table["predicted_pd"]) >= 0).all()
    assert np.allclose(table["observed_pd"], table["predicted_pd"], atol=0.07)


def test_iv_table_bands_noise_as_useless(train: CreditData) -> None:
    table = iv_table(train.X, train.y).set_index("feature")
    for name in NOISE:
        assert table.loc[name, "band"] == "useless"
    assert table.loc["late_share", "band"] in ("medium", "strong")
    assert table["iv"].is_monotonic_decreasing


def test_write_report_writes_pngs_and_markdown(train: CreditData, tmp_path: Path) -> None:
    X, y = train.X.head(2000), train.y[:2000]
    model = Scorecard(calibration_cv=2).fit(X, y)
    pd_bad = model.predict_proba(X)[:, 1]
    report = write_report(
        tmp_path / "report",
        y,
        pd_bad,
        score=model.predict_score(X),
        title="Scorecard",
        iv=iv_table(model),
        resamples=50,
    )
    names = sorted(p.name for p in report.files)
    assert names == ["calibration.png", "report.md", "roc.png", "score_distribution.png"]
    for path in report.files:
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG
            assert path.stat().st_size > 5000
    text = (tmp_path / "report" / "report.md").read_text()
    assert "| auc |" in text
    assert "Calibration by grade" in text
    assert "late_share" in text
    assert report.metrics["auc"] == pytest.approx(auc(y, pd_bad))


def test_import_credit_is_cheap() -> None:
    code = (
        "import sys, credit; "
        "heavy = [m for m in ('matplotlib', 'sklearn', 'pandas') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    import credit
    from credit import __all__ as public

    for name in public:
        assert getattr(credit, name) is not None
