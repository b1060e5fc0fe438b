"""Saved models load to identical predictions, and refuse another schema or an edit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from credit import (
    ArtifactInvalid,
    ArtifactTampered,
    Challenger,
    InvalidInput,
    SchemaMismatch,
    Scorecard,
    load_latest,
    load_model,
    save_model,
    versions,
)
from credit.persistence.artifact import CARD_FILE, CARD_MARKDOWN, MODEL_FILE
from credit.schema import FeatureKind, FeatureSchema, FeatureSpec
from tests.credit.synthetic import CreditData

CREATED = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module", params=["scorecard", "challenger", "isotonic"])
def fitted(request: pytest.FixtureRequest, train: CreditData) -> Scorecard | Challenger:
    X, y = train.X.head(3000), train.y[:3000]
    if request.param == "scorecard":
        return Scorecard(descriptions={"age": "Age {value}"}).fit(X, y)
    if request.param == "isotonic":
        return Scorecard(calibration="isotonic").fit(X, y)
    return Challenger(max_iter=40, monotonic_cst={"late_share": 1}).fit(X, y)


def test_save_then_load_predicts_identically(
    fitted: Scorecard | Challenger, test_data: CreditData, tmp_path: Path
) -> None:
    folder = save_model(
        fitted,
        tmp_path,
        "sme",
        created_at=CREATED,
        data_window=("2025-01-01", "2025-12-31"),
        performance={"auc": 0.74},
    )
    assert folder == tmp_path / "sme" / "v0001"
    loaded = load_model(folder, expected_schema_sha256=fitted.schema_.sha256)
    assert type(loaded) is type(fitted)
    X = test_data.X
    assert np.array_equal(loaded.predict_proba(X), fitted.predict_proba(X))
    assert np.array_equal(loaded.predict(X), fitted.predict(X))
    assert loaded.reasons(X.head(20)) == fitted.reasons(X.head(20))
    assert loaded.get_params() == fitted.get_params()
    if isinstance(fitted, Scorecard):
        assert isinstance(loaded, Scorecard)
        assert np.array_equal(loaded.predict_score(X), fitted.predict_score(X))
        assert loaded.points_table().equals(fitted.points_table())
    card = json.loads((folder / CARD_FILE).read_text())
    assert card["created_at"] == "2026-12-02T09:30:00+00:00"
    assert card["feature_schema_sha256"] == fitted.schema_.sha256
    assert card["data_window"] == ["2025-01-01", "2025-12-31"]
    markdown = (folder / CARD_MARKDOWN).read_text()
    assert "# Model card: sme v0001" in markdown
    assert fitted.schema_.sha256 in markdown


def test_versions_sort_in_order_of_saving(fitted: Scorecard | Challenger, tmp_path: Path) -> None:
    for _ in range(3):
        save_model(fitted, tmp_path, "m", created_at=CREATED)
    save_model(fitted, tmp_path, "m", created_at=CREATED, version="v0010")
    assert versions(tmp_path, "m") == ["v0001", "v0002", "v0003", "v0010"]
    assert sorted(versions(tmp_path, "m")) == versions(tmp_path, "m")
    assert type(load_latest(tmp_path, "m")) is type(fitted)
    with pytest.raises(InvalidInput):
        save_model(fitted, tmp_path, "m", created_at=CREATED, version="v0010")
    with pytest.raises(InvalidInput):
        save_model(fitted, tmp_path, "m", created_at=CREATED, version="10")
    with pytest.raises(InvalidInput):
        save_model(fitted, tmp_path, "m", created_at=datetime(2026, 1, 1))


def test_load_refuses_another_schema(fitted: Scorecard | Challenger, tmp_path: Path) -> None:
    folder = save_model(fitted, tmp_path, "m", created_at=CREATED)
    other = FeatureSchema(
        tuple(
            FeatureSpec(s.name, FeatureKind.CATEGORICAL if s.name == "age" else s.kind)
            for s in fitted.schema_.features
        )
    )
    assert other.sha256 != fitted.schema_.sha256
    with pytest.raises(SchemaMismatch) as caught:
        load_model(folder, expected_schema_sha256=other.sha256)
    assert caught.value.status == 409
    assert caught.value.found == fitted.schema_.sha256


def test_schema_hash_ignores_column_order() -> None:
    a = FeatureSchema(
        (FeatureSpec("x", FeatureKind.NUMERIC), FeatureSpec("c", FeatureKind.CATEGORICAL))
    )
    b = FeatureSchema(tuple(reversed(a.features)))
    assert a.sha256 == b.sha256


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_load_detects_an_edited_parameter(fitted: Scorecard | Challenger, tmp_path: Path) -> None:
    folder = save_model(fitted, tmp_path, "m", created_at=CREATED)
    doc = json.loads((folder / MODEL_FILE).read_text())
    key = "scorecard" if "scorecard" in doc else "challenger"
    if key == "scorecard":
        name = doc["scorecard"]["features"][0]
        doc["scorecard"]["points"][name][0] += 25.0
    else:
        doc["challenger"]["ensemble"]["value"][3] += 0.5
    (folder / MODEL_FILE).write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")))
    with pytest.raises(ArtifactTampered) as caught:
        load_model(folder)
    assert caught.value.expected != caught.value.calculated


def test_load_refuses_malformed_artifacts(fitted: Scorecard | Challenger, tmp_path: Path) -> None:
    with pytest.raises(ArtifactInvalid):
        load_model(tmp_path / "nowhere")
    folder = save_model(fitted, tmp_path, "m", created_at=CREATED)
    _edit(folder / CARD_FILE, '"created_at": "2026', '"created_at": "never')
    with pytest.raises(ArtifactInvalid):
        load_model(folder)
    with pytest.raises(ArtifactInvalid):
        load_latest(tmp_path, "absent")
