"""``threeflow credit train / score / report`` on a simulated ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from credit.features import NAMES, compute, population, read_labels
from credit.models.scorecard import Scorecard
from credit.persistence.artifact import save_model
from finance_api.commands.credit import app
from tests.credit.ledgers import SimLedger

pytestmark = pytest.mark.parametrize("credit_store", ["sqlite"], indirect=True)
runner = CliRunner()


@pytest.fixture(scope="module")
def models(sim_ledger: SimLedger, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models")
    result = runner.invoke(app, ["train", "--db", sim_ledger.url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    trained = json.loads(result.output)
    assert trained["train_rows"] > 0
    assert trained["test_rows"] > 0
    assert 0.5 < trained["performance"]["oot_auc"] <= 1.0
    return out


def _score(sim: SimLedger, models: Path, participant: str, *extra: str) -> dict[str, object]:
    args = ["score", participant, "--db", sim.url, "--model", str(models), *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.output)
    return parsed


def test_a_score_names_its_model_schema_and_checkpoint_and_is_recomputed(
    sim_ledger: SimLedger, models: Path
) -> None:
    first = _score(sim_ledger, models, "seller-000010", "--at", "9000")
    assert first["checkpoint"] == {
        "tree_size": 9000,
        "root_hash": first["checkpoint"]["root_hash"],  # type: ignore[index]
    }
    assert first["model_version"] == "ledger-credit/v0001"
    assert isinstance(first["score"], int)
    assert 0 < first["pd"] < 1  # type: ignore[operator]
    assert 1 <= len(first["reasons"]) <= 4  # type: ignore[arg-type]
    assert first == _score(sim_ledger, models, "seller-000010", "--at", "9000")
    latest = _score(sim_ledger, models, "seller-000010")
    assert latest["checkpoint"]["tree_size"] > 9000  # type: ignore[index]
    assert latest["checkpoint"]["root_hash"] != first["checkpoint"]["root_hash"]  # type: ignore[index]


def test_a_model_of_another_feature_schema_is_refused(
    sim_ledger: SimLedger, models: Path, tmp_path: Path
) -> None:
    with sim_ledger.open() as ledger:
        table = compute(ledger, sim_ledger.size // 2)
        X, y = population(table, read_labels(ledger, table, 120))
    other = Scorecard().fit(X[list(NAMES[:-1])], y)
    folder = save_model(other, tmp_path, "ledger-credit", created_at=datetime.now(UTC))
    result = runner.invoke(
        app, ["score", "seller-000010", "--db", sim_ledger.url, "--model", str(folder)]
    )
    assert result.exit_code == 1
    assert "another feature schema" in result.output


def test_an_unknown_participant_is_refused(sim_ledger: SimLedger, models: Path) -> None:
    result = runner.invoke(
        app, ["score", "seller-999999", "--db", sim_ledger.url, "--model", str(models)]
    )
    assert result.exit_code == 1
    assert "no participant seller-999999" in result.output


def test_the_report_writes_plots_and_the_out_of_time_figures(
    sim_ledger: SimLedger, models: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = runner.invoke(
        app, ["report", "--db", sim_ledger.url, "--model", str(models), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in ("roc.png", "calibration.png", "score_distribution.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = (out / "report.md").read_text()
    for heading in ("Lender loss at 80% approval", "Calibration by grade", "Information value",
                    "Champion and challenger, out of time", "| ks |", "| brier |",
                    "PSI of PD"):  # fmt: skip
        assert heading in text


def test_the_scorers_fast_path_agrees_with_the_estimator(
    sim_ledger: SimLedger, models: Path
) -> None:
    from credit.scoring.scorer import Scorer, load

    scorer = Scorer(load(models))
    model = scorer.loaded.model
    with sim_ledger.open() as ledger:
        table = compute(ledger)
    some = list(table.frame.index[::5])
    got = scorer.score_table(table, some)
    X = table.frame.loc[some, list(model.schema_.names)]
    expected_pd = model.predict_proba(X)[:, 1]
    expected_score = model.predict_score(X)
    expected_reasons = model.reasons(X)
    for i, result in enumerate(got):
        assert result["pd"] == round(float(expected_pd[i]), 6)
        assert result["score"] == round(float(expected_score[i]))
        assert [r["feature"] for r in result["reasons"]] == [r.feature for r in expected_reasons[i]]
