"""PNG plots for a model report: ROC, reliability, and score distribution by outcome.

matplotlib is imported inside each function, with the Agg backend, so ``import credit``
stays fast and nothing needs a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from credit.evaluation.metrics import auc, outcomes_and_pd
from credit.evaluation.tables import reliability_table


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def roc_plot(y: npt.ArrayLike, pd_bad: npt.ArrayLike, path: Path | str, title: str = "") -> Path:
    """ROC curve with its AUC in the legend."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    order = np.argsort(-pred, kind="stable")
    tpr = np.r_[0.0, np.cumsum(outcome[order]) / outcome.sum()]
    fpr = np.r_[0.0, np.cumsum(1 - outcome[order]) / (outcome.size - outcome.sum())]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot(fpr, tpr, label=f"model (AUC {auc(outcome, pred):.3f})")
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="random")
    ax.set_xlabel("false positive rate (goods flagged)")
    ax.set_ylabel("true positive rate (bads caught)")
    ax.set_title(title or "ROC")
    ax.legend(loc="lower right")
    return _save(fig, plt, path)


def calibration_plot(
    y: npt.ArrayLike, pd_bad: npt.ArrayLike, path: Path | str, bins: int = 10, title: str = ""
) -> Path:
    """Observed against mean predicted PD per equal-count bin, with the diagonal."""
    table = reliability_table(y, pd_bad, bins)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    top = float(max(table["predicted_pd"].max(), table["observed_pd"].max(), 1e-3))
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect")
    ax.plot(table["predicted_pd"], table["observed_pd"], marker="o", label="model")
    ax.set_xlabel("mean predicted PD")
    ax.set_ylabel("observed default rate")
    ax.set_title(title or "Calibration (reliability)")
    ax.legend(loc="upper left")
    return _save(fig, plt, path)


def score_distribution_plot(
    score: npt.ArrayLike, y: npt.ArrayLike, path: Path | str, title: str = ""
) -> Path:
    """Histograms of the score for goods and for bads, on shared bins."""
    values = np.asarray(score, dtype=np.float64)
    outcome = np.asarray(y).astype(np.int64)
    edges = np.histogram_bin_edges(values, bins=30)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(values[outcome == 0], bins=edges, alpha=0.6, density=True, label="good")
    ax.hist(values[outcome == 1], bins=edges, alpha=0.6, density=True, label="bad")
    ax.set_xlabel("score")
    ax.set_ylabel("density")
    ax.set_title(title or "Score distribution by outcome")
    ax.legend()
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path | str) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(target, format="png", dpi=100)
    plt.close(fig)
    return target
