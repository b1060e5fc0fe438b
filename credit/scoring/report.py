"""The out-of-time report of a ledger model: train on earlier as-of points, test on the last.

Figures (AUC with a bootstrap interval, Gini, KS, Brier), calibration by grade, the IV
table of the scorecard's own bins, lender loss at a fixed approval rate, plots (ROC,
calibration, score by outcome), and the challenger's out-of-time figures beside the
champion's, and the stability of PD (PSI) and of the inputs (CSI) from the training
population to the test point, all from labels read from the ledger.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from credit.evaluation.report import Report, write_report
from credit.evaluation.tables import iv_table
from credit.models.base import CreditModel
from credit.monitoring import csi, psi
from credit.scoring.points import Plan, plan
from credit.scoring.scorer import LoadedModel
from credit.scoring.training import challenger, metrics, samples, stack
from ledger.log import Ledger


def _stability(model: CreditModel, X_train: pd.DataFrame, X_test: pd.DataFrame) -> list[str]:
    """PSI of the score and the worst CSIs, training population against the test point."""
    names = list(model.schema_.names)
    score_train = model.predict_proba(X_train[names])[:, 1]
    score_test = model.predict_proba(X_test[names])[:, 1]
    shift = psi(score_train, score_test, name="pd", warn=False)
    worst = csi(X_train[names], X_test[names], warn=False).head(8)
    return [
        "## Stability (training population against the out-of-time point)",
        "",
        f"PSI of PD: {shift.value:.4f} ({shift.band}; watch at 0.10, act at 0.25).",
        "",
        "| feature | CSI | band |",
        "| --- | --- | --- |",
        *[f"| {r.feature} | {r.csi:.4f} | {r.band} |" for r in worst.itertuples()],
        "",
    ]


def ledger_report(
    ledger: Ledger,
    loaded: LoadedModel,
    out: Path | str,
    *,
    the_plan: Plan | None = None,
    approval_rate: float = 0.8,
    with_challenger: bool = True,
) -> Report:
    the_plan = the_plan or plan(ledger)
    parts = samples(ledger, the_plan)
    test = parts[-1]
    model = loaded.model
    X = test.X[list(model.schema_.names)]
    pd_bad = model.predict_proba(X)[:, 1]
    score = model.predict_score(X) if hasattr(model, "predict_score") else None
    iv = iv_table(model) if hasattr(model, "binnings_") else None
    report = write_report(
        out,
        test.y,
        pd_bad,
        score=score,
        title=f"{loaded.version}, out of time at tree size {test.table.as_of.tree_size}",
        approval_rate=approval_rate,
        scale=model.master_scale_,
        iv=iv,
    )
    lines = [
        "## Data",
        "",
        f"As-of tree sizes {', '.join(map(str, the_plan.sizes))} "
        f"({', '.join(t.date().isoformat() for t in the_plan.times)}); the last is the "
        f"out-of-time test. Performance window {the_plan.window_days} days"
        + (" (shortened: the ledger is short)." if the_plan.shortened else "."),
        f"Feature schema {test.table.schema_hash}; labels read from the ledger.",
        "",
    ]
    X_train, y_train = stack(parts[:-1])
    lines += _stability(model, X_train, X)
    if with_challenger:
        rival = challenger().fit(X_train, y_train)
        figures = metrics(test.y, rival.predict_proba(test.X)[:, 1], "challenger_oot")
        champion = metrics(test.y, pd_bad, "champion_oot")
        lines += [
            "## Champion and challenger, out of time",
            "",
            "| figure | value |",
            "| --- | --- |",
        ]
        lines += [f"| {k} | {v:.4f} |" for k, v in {**champion, **figures}.items()]
        lines.append("")
    md = Path(out) / "report.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n" + "\n".join(lines), encoding="utf-8")
    return report
