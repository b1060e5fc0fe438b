"""Reproducible scores: a saved model, a checkpoint, and the features at that checkpoint.

A score names everything needed to compute it again: the model version, the feature
schema hash and the checkpoint (tree size and root hash). Features at a tree size read
only the entries of that tree, and the model is deterministic, so the same command at the
same ``--at`` gives the same number, whatever was appended since. Loading refuses a model
saved for another feature schema than the ledger features this code computes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from credit.errors import CreditError
from credit.features import FEATURE_SCHEMA_HASH, compute
from credit.features.scan import FeatureTable
from credit.models.base import CreditModel
from credit.persistence.artifact import CARD_FILE, load_model, read_card, versions
from credit.scoring.training import MODEL_NAME
from ledger.log import Ledger


class UnknownParticipant(CreditError):
    """No firm of that id is in the as-of tree (or the caller may not see it)."""

    code = "not_found"
    status = 404


@dataclass(frozen=True)
class LoadedModel:
    model: CreditModel
    version: str  # "<name>/<version>"
    folder: Path


def load(model_dir: Path | str, expected_schema: str = FEATURE_SCHEMA_HASH) -> LoadedModel:
    """A version folder, or the newest version of the ledger model under a root folder."""
    folder = Path(model_dir)
    if not (folder / CARD_FILE).is_file():
        found = versions(folder, MODEL_NAME)
        if found:
            folder = folder / MODEL_NAME / found[-1]
    card = read_card(folder)
    model = load_model(folder, expected_schema_sha256=expected_schema)
    return LoadedModel(model, f"{card.name}/{card.version}", folder)


def reasons_hash(reasons: list[dict[str, Any]]) -> str:
    text = json.dumps(reasons, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


class Scorer:
    """Scores participants with one loaded model."""

    def __init__(self, loaded: LoadedModel) -> None:
        self.loaded = loaded

    @property
    def version(self) -> str:
        return self.loaded.version

    def score_table(
        self, table: FeatureTable, participants: Collection[str]
    ) -> list[dict[str, Any]]:
        """One score per participant, in the order asked; unknown ids are refused."""
        missing = [p for p in participants if p not in table.frame.index]
        if missing:
            raise UnknownParticipant(
                f"no participant {missing[0]} at this checkpoint", field="participant"
            )
        model = self.loaded.model
        frame = table.frame
        rows = frame.index.get_indexer(pd.Index(list(participants)))
        cols = frame.columns.get_indexer(pd.Index(list(model.schema_.names)))
        columns = model.columns_of(table.matrix[np.ix_(rows, cols)])
        assess_of = getattr(model, "assess_of", None)
        if assess_of is not None:  # the scorecard: PD, points and reasons from one binning
            pd_bad, points, reasons = assess_of(columns, 4)
        else:
            pd_bad = model.pd_of(columns)
            points = -np.log(pd_bad / (1 - pd_bad))
            reasons = model.reasons_of(columns, 4)
        grades = model.grade(pd_bad)
        checkpoint = {"tree_size": table.as_of.tree_size, "root_hash": table.as_of.root_hash}
        out = []
        for i, participant in enumerate(participants):
            why = [{k: _clean(v) for k, v in r.to_json().items()} for r in reasons[i]]
            out.append({
                "participant": participant,
                "score": round(float(points[i])),
                "pd": round(float(pd_bad[i]), 6),
                "pd_ppm": round(float(pd_bad[i]) * 1_000_000),
                "grade": str(grades[i]),
                "reasons": why,
                "reasons_hash": reasons_hash(why),
                "model_version": self.version,
                "feature_schema_hash": table.schema_hash,
                "checkpoint": checkpoint,
                "as_of": table.as_of.at.isoformat(),
            })  # fmt: skip
        return out

    def score(
        self, ledger: Ledger, participants: Collection[str], at: int | None = None
    ) -> list[dict[str, Any]]:
        """Scores at tree size ``at`` (default: the newest checkpoint, else the tree)."""
        size = at if at is not None else (ledger.latest_checkpoint_size() or None)
        table = compute(ledger, size, participants)
        return self.score_table(table, participants)
