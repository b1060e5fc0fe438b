"""Discrimination, accuracy of PD, and what a cut-off costs the lender.

Inputs are outcomes ``y`` (1 = bad) and predicted PDs. AUC and Gini measure ranking, KS the
widest gap between the score distributions of bads and goods, Brier the mean squared error
of PD. Bootstrap intervals are seeded, so a report is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from credit.errors import InvalidInput

FloatArray = npt.NDArray[np.float64]


def outcomes_and_pd(
    y: npt.ArrayLike, pd_bad: npt.ArrayLike
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    outcome = np.asarray(y).astype(np.int64).ravel()
    pred = np.asarray(pd_bad, dtype=np.float64).ravel()
    if outcome.shape != pred.shape or outcome.size == 0:
        raise InvalidInput("y and pd must be non-empty and of one length", field="y")
    if not np.isin(outcome, (0, 1)).all():
        raise InvalidInput("y must be 0 (good) or 1 (bad)", field="y")
    if np.isnan(pred).any():
        raise InvalidInput("pd must not be NaN", field="pd")
    return outcome, pred


def _both_classes(y: npt.NDArray[np.int64]) -> None:
    if y.min() == y.max():
        raise InvalidInput("AUC, Gini and KS need both goods and bads", field="y")


def auc(y: npt.ArrayLike, pd_bad: npt.ArrayLike) -> float:
    """Area under the ROC curve (ties count one half), by ranks."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    _both_classes(outcome)
    import pandas as pd

    ranks = pd.Series(pred).rank(method="average").to_numpy()
    bads = int(outcome.sum())
    goods = outcome.size - bads
    return float((ranks[outcome == 1].sum() - bads * (bads + 1) / 2) / (bads * goods))


def gini(y: npt.ArrayLike, pd_bad: npt.ArrayLike) -> float:
    """Accuracy ratio: ``2 * AUC - 1``."""
    return 2.0 * auc(y, pd_bad) - 1.0


def ks(y: npt.ArrayLike, pd_bad: npt.ArrayLike) -> float:
    """Kolmogorov-Smirnov: the largest gap between the cumulative PD shares of bads and goods."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    _both_classes(outcome)
    order = np.argsort(-pred, kind="stable")
    sorted_pred, sorted_y = pred[order], outcome[order]
    last = np.r_[np.flatnonzero(np.diff(sorted_pred)), outcome.size - 1]
    bads = np.cumsum(sorted_y)[last] / outcome.sum()
    goods = np.cumsum(1 - sorted_y)[last] / (outcome.size - outcome.sum())
    return float(np.max(np.abs(bads - goods)))


def brier(y: npt.ArrayLike, pd_bad: npt.ArrayLike) -> float:
    """Mean squared error of PD against the outcome."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    return float(np.mean((pred - outcome) ** 2))


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    lower: float
    upper: float
    level: float
    resamples: int


def bootstrap_auc(
    y: npt.ArrayLike,
    pd_bad: npt.ArrayLike,
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of the AUC (resamples with one class are redrawn)."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    _both_classes(outcome)
    if not 0 < level < 1 or resamples < 10:
        raise InvalidInput("level in (0, 1) and at least 10 resamples", field="level")
    rng = np.random.default_rng(seed)
    values: list[float] = []
    while len(values) < resamples:
        pick = rng.integers(0, outcome.size, outcome.size)
        if outcome[pick].min() != outcome[pick].max():
            values.append(auc(outcome[pick], pred[pick]))
    tail = (1 - level) / 2
    lower, upper = np.quantile(values, [tail, 1 - tail])
    return Interval(auc(outcome, pred), float(lower), float(upper), level, resamples)


@dataclass(frozen=True, slots=True)
class LenderLoss:
    """Losses of the approved book at one approval rate (exposure in the caller's units)."""

    approval_rate: float
    approved: int
    approved_bads: int
    bad_rate: float
    loss: float
    loss_rate: float


def lender_loss(
    y: npt.ArrayLike,
    pd_bad: npt.ArrayLike,
    *,
    approval_rate: float,
    exposure: float | npt.ArrayLike = 1.0,
    lgd: float | npt.ArrayLike = 0.45,
) -> LenderLoss:
    """Approve the ``approval_rate`` share with the lowest PD; sum exposure x LGD of its bads.

    ``exposure`` and ``lgd`` are constants or one value per row. This is an analytic
    figure for comparing models, not a booked amount (money in the ledger stays integer).
    """
    outcome, pred = outcomes_and_pd(y, pd_bad)
    if not 0.0 < approval_rate <= 1.0:
        raise InvalidInput("approval_rate must be in (0, 1]", field="approval_rate")
    n = outcome.size
    ead = np.broadcast_to(np.asarray(exposure, dtype=np.float64), (n,))
    loss_given = np.broadcast_to(np.asarray(lgd, dtype=np.float64), (n,))
    count = max(1, round(approval_rate * n))
    approved = np.argsort(pred, kind="stable")[:count]
    bads = outcome[approved] == 1
    loss = float((ead[approved] * loss_given[approved] * bads).sum())
    book = float(ead[approved].sum())
    return LenderLoss(
        approval_rate=approval_rate,
        approved=count,
        approved_bads=int(bads.sum()),
        bad_rate=float(bads.mean()),
        loss=loss,
        loss_rate=loss / book if book else 0.0,
    )
