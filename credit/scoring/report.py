"""The out-of-time report of a ledger model: train on earlier as-of points, test on the last.

Figures (AUC with a bootstrap interval, Gini, KS, Brier), calibration by grade, the IV
table of the scorecard's own bins, lender loss at a fixed approval rate, plots (ROC,
calibration, score by outcome), and the challenger's out-of-time figures beside the
champion's, all from labels read from the ledger.
"""

from __future__ import annotations

from pathlib import Path

from credit.evaluation.report import Report, write_report
from credit.evaluation.tables import iv_table
from credit.scoring.points import Plan, plan
from credit.scoring.scorer import LoadedModel
from credit.scoring.training import challenger, metrics, samples, stack
from ledger.log import Ledger


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
    if with_challenger:
        X_train, y_train = stack(parts[:-1])
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
