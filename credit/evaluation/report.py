"""A model report: figures, tables and plots in one folder, with a Markdown summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit.evaluation.metrics import (
    Interval,
    LenderLoss,
    bootstrap_auc,
    brier,
    gini,
    ks,
    lender_loss,
)
from credit.evaluation.plots import calibration_plot, roc_plot, score_distribution_plot
from credit.evaluation.tables import calibration_by_grade, reliability_table
from credit.master_scale import MasterScale


@dataclass(frozen=True, slots=True)
class Report:
    """What ``write_report`` measured and where it wrote it."""

    metrics: dict[str, float]
    auc_interval: Interval
    loss: LenderLoss
    files: tuple[Path, ...]


def write_report(
    out_dir: Path | str,
    y: npt.ArrayLike,
    pd_bad: npt.ArrayLike,
    *,
    score: npt.ArrayLike | None = None,
    title: str = "Credit model",
    approval_rate: float = 0.8,
    exposure: float | npt.ArrayLike = 1.0,
    lgd: float | npt.ArrayLike = 0.45,
    scale: MasterScale | None = None,
    iv: pd.DataFrame | None = None,
    seed: int = 0,
    resamples: int = 500,
) -> Report:
    """Write ``roc.png``, ``calibration.png``, ``score_distribution.png`` and ``report.md``.

    ``score`` defaults to ``-logit(PD)`` (higher is safer) when the model has no points;
    ``iv`` is an optional information-value table to include.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    outcome = np.asarray(y).astype(np.int64)
    pred = np.asarray(pd_bad, dtype=np.float64)
    interval = bootstrap_auc(outcome, pred, resamples=resamples, seed=seed)
    metrics = {
        "auc": interval.estimate,
        "gini": gini(outcome, pred),
        "ks": ks(outcome, pred),
        "brier": brier(outcome, pred),
        "bad_rate": float(outcome.mean()),
        "mean_pd": float(pred.mean()),
    }
    loss = lender_loss(outcome, pred, approval_rate=approval_rate, exposure=exposure, lgd=lgd)
    if score is None:
        clipped = np.clip(pred, 1e-12, 1 - 1e-12)
        score = np.log((1 - clipped) / clipped)
    files = (
        roc_plot(outcome, pred, out / "roc.png", title=f"{title}: ROC"),
        calibration_plot(outcome, pred, out / "calibration.png", title=f"{title}: calibration"),
        score_distribution_plot(
            score, outcome, out / "score_distribution.png", title=f"{title}: score by outcome"
        ),
    )
    grades = calibration_by_grade(outcome, pred, scale)
    lines = [
        f"# {title}",
        "",
        f"{outcome.size} rows, bad rate {metrics['bad_rate']:.2%}.",
        "",
        "| metric | value |",
        "| --- | --- |",
        *[f"| {k} | {v:.4f} |" for k, v in metrics.items()],
        f"| AUC {interval.level:.0%} bootstrap interval ({interval.resamples} resamples, "
        f"seed {seed}) | {interval.lower:.4f} to {interval.upper:.4f} |",
        "",
        f"## Lender loss at {approval_rate:.0%} approval",
        "",
        f"Approved {loss.approved}, of which {loss.approved_bads} bad ({loss.bad_rate:.2%}); "
        f"loss {loss.loss:.2f} ({loss.loss_rate:.2%} of approved exposure).",
        "",
        "## Calibration by grade",
        "",
        _table(grades),
        "",
        "## Reliability",
        "",
        _table(reliability_table(outcome, pred)),
        "",
    ]
    if iv is not None:
        lines += ["## Information value", "", _table(iv), ""]
    lines += ["## Plots", "", *[f"![{p.stem}]({p.name})" for p in files], ""]
    md = out / "report.md"
    md.write_text("\n".join(lines), encoding="utf-8")
    return Report(metrics, interval, loss, (*files, md))


def _table(frame: pd.DataFrame) -> str:
    """A pipe table without the optional tabulate dependency."""
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = [
        "| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return format(value, ".4g")
    return str(value)
