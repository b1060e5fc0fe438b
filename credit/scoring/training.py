"""Training a ledger credit model: stacked as-of populations, out-of-time test on the last.

The model is fitted on the firms' features at every as-of point but the last, each row
labelled by the window after its point; the last point is the out-of-time test. Ids
repeat across points (a firm is a row at each point where it was not yet bad), as in
any behavioural scorecard built from monthly snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit.errors import InvalidInput
from credit.evaluation.metrics import auc, brier, gini, ks
from credit.features import DESCRIPTIONS, compute, population, read_labels
from credit.features.scan import FeatureTable
from credit.models.base import CreditModel
from credit.models.challenger import Challenger
from credit.models.scorecard import Scorecard
from credit.persistence.artifact import save_model
from credit.scoring.points import Plan, plan
from ledger.log import Ledger

MODEL_NAME = "ledger-credit"


@dataclass(frozen=True)
class Sample:
    """Features and labels at one as-of point."""

    table: FeatureTable
    X: pd.DataFrame
    y: npt.NDArray[np.int64]


@dataclass(frozen=True)
class Trained:
    folder: Path
    model: CreditModel
    plan: Plan
    train_rows: int
    test_rows: int
    performance: dict[str, float]


def samples(ledger: Ledger, the_plan: Plan, roles: tuple[str, ...] = ("seller",)) -> list[Sample]:
    """One feature pass and one label query per as-of point of the plan."""
    out = []
    for size in the_plan.sizes:
        table = compute(ledger, size)
        X, y = population(table, read_labels(ledger, table, the_plan.window_days), roles)
        out.append(Sample(table, X, y))
    return out


def stack(parts: list[Sample]) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    X = pd.concat([s.X for s in parts], ignore_index=True)
    y = np.concatenate([s.y for s in parts]).astype(np.int64)
    if len(set(y.tolist())) < 2:
        raise InvalidInput("the training points hold no default (or only defaults)", field="db")
    return X, y


def metrics(y: npt.ArrayLike, pd_bad: npt.ArrayLike, prefix: str) -> dict[str, float]:
    if len(set(np.asarray(y).tolist())) < 2:
        return {}
    return {
        f"{prefix}_auc": auc(y, pd_bad),
        f"{prefix}_gini": gini(y, pd_bad),
        f"{prefix}_ks": ks(y, pd_bad),
        f"{prefix}_brier": brier(y, pd_bad),
    }


def champion() -> Scorecard:
    return Scorecard(descriptions=DESCRIPTIONS)


def challenger() -> Challenger:
    return Challenger(descriptions=DESCRIPTIONS)


def train(
    ledger: Ledger, out: Path | str, *, created_at: datetime, the_plan: Plan | None = None
) -> Trained:
    """Fit the champion scorecard and save it under ``out`` (a new version each time)."""
    the_plan = the_plan or plan(ledger)
    parts = samples(ledger, the_plan)
    X, y = stack(parts[:-1])
    model = champion().fit(X, y)
    test = parts[-1]
    performance = {"train_rows": float(len(y)), "train_bad_rate": float(y.mean())}
    if len(test.y):
        performance.update(metrics(test.y, model.predict_proba(test.X)[:, 1], "oot"))
    folder = save_model(
        model,
        out,
        MODEL_NAME,
        created_at=created_at,
        data_window=(
            the_plan.times[0].isoformat(),
            the_plan.times[-2].isoformat(),
        ),
        performance=performance,
    )
    return Trained(folder, model, the_plan, len(y), len(test.y), performance)
