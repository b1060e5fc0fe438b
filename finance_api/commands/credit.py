"""``threeflow credit``: train a ledger credit model, score participants, write its report.

Scores are JSON with the model version, the feature-schema hash and the checkpoint (tree
size and root hash): ``credit score ID --at TREE_SIZE`` computes the same number again
from the same checkpoint. Exit codes: 0 done, 1 refused (unknown participant, a model of
another feature schema, a ledger too short to train on), 2 bad usage.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Credit scoring on the ledger.")
DbOption = Annotated[str, typer.Option("--db", help="database URL, e.g. sqlite:///var/sim.db")]
ModelOption = Annotated[Path, typer.Option("--model", help="model folder (root or version)")]


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@app.command()
def train(
    db: DbOption,
    out: Annotated[Path, typer.Option("--out", help="models folder; a new version is added")],
    points: Annotated[int, typer.Option("--points", min=2, max=24)] = 4,
) -> None:
    """Fit the scorecard on as-of points of the ledger; test out of time on the last one."""
    from credit.errors import CreditError
    from credit.scoring.points import plan
    from credit.scoring.training import train as fit
    from ledger.core.errors import LedgerError
    from ledger.log import Ledger

    with Ledger.open(db, read_only=True) as ledger:
        try:
            trained = fit(
                ledger, out, created_at=datetime.now(UTC), the_plan=plan(ledger, points=points)
            )
        except (CreditError, LedgerError) as exc:
            _fail(exc)
            return
    typer.echo(json.dumps({
        "model": str(trained.folder),
        "as_of_tree_sizes": list(trained.plan.sizes),
        "window_days": trained.plan.window_days,
        "train_rows": trained.train_rows,
        "test_rows": trained.test_rows,
        "performance": trained.performance,
    }, indent=2))  # fmt: skip


@app.command()
def score(
    participant: Annotated[str, typer.Argument(help="participant id")],
    db: DbOption,
    model: ModelOption,
    at: Annotated[
        int | None, typer.Option("--at", min=1, help="tree size (default: newest checkpoint)")
    ] = None,
) -> None:
    """Score one participant at a checkpoint; prints JSON."""
    from credit.errors import CreditError
    from credit.scoring.scorer import Scorer, load
    from ledger.core.errors import LedgerError
    from ledger.log import Ledger

    try:
        scorer = Scorer(load(model))
        with Ledger.open(db, read_only=True) as ledger:
            result = scorer.score(ledger, [participant], at)[0]
    except (CreditError, LedgerError) as exc:
        _fail(exc)
        return
    typer.echo(json.dumps(result, indent=2))


@app.command()
def report(
    db: DbOption,
    model: ModelOption,
    out: Annotated[Path, typer.Option("--out", help="folder for report.md and the plots")],
    approval_rate: Annotated[float, typer.Option("--approval-rate", min=0.01, max=1.0)] = 0.8,
) -> None:
    """Out-of-time report: AUC, Gini, KS, Brier, calibration by grade, IV, lender loss, plots."""
    from credit.errors import CreditError
    from credit.scoring.report import ledger_report
    from credit.scoring.scorer import load
    from ledger.core.errors import LedgerError
    from ledger.log import Ledger

    try:
        loaded = load(model)
        with Ledger.open(db, read_only=True) as ledger:
            written = ledger_report(ledger, loaded, out, approval_rate=approval_rate)
    except (CreditError, LedgerError) as exc:
        _fail(exc)
        return
    typer.echo(json.dumps({"files": [str(p) for p in written.files], **written.metrics}, indent=2))
