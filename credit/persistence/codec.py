"""A fitted model as a JSON document of its parameters, and back.

Pickle would run code on load; this format holds only numbers, strings and lists, so a
loaded artifact can do no more than the arithmetic the package itself defines. Floats are
written with Python's shortest round-trip repr, so every parameter loads bit for bit and a
loaded model predicts exactly what the saved one did.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from credit.binning import FeatureBinning
from credit.calibration import Calibrator
from credit.errors import ArtifactInvalid
from credit.master_scale import MasterScale
from credit.models.base import CreditModel
from credit.models.category_codes import CategoryCodes
from credit.models.challenger import Challenger
from credit.models.scorecard import Scorecard
from credit.models.trees import TreeEnsemble
from credit.scaling import PointsScaling
from credit.schema import FeatureSchema

FORMAT = "threeflow-credit-model"
FORMAT_VERSION = 1
TYPES: dict[str, type[CreditModel]] = {"scorecard": Scorecard, "challenger": Challenger}


def model_type(model: CreditModel) -> str:
    for name, cls in TYPES.items():
        if type(model) is cls:
            return name
    raise ArtifactInvalid(f"cannot save a {type(model).__name__}", field="model")


def _params(model: CreditModel) -> dict[str, Any]:
    out = {}
    for key, value in model.get_params(deep=False).items():
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dict) or hasattr(value, "items"):
            value = dict(value)
        out[key] = value
    return out


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def encode(model: CreditModel) -> dict[str, Any]:
    """The JSON document of a fitted model."""
    kind = model_type(model)
    names = getattr(model, "feature_names_in_", None)
    doc: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_type": kind,
        "params": _params(model),
        "schema": model.schema_.to_json(),
        "feature_schema_sha256": model.schema_.sha256,
        "classes": [_scalar(c) for c in model.classes_],
        "feature_names_in": None if names is None else [str(n) for n in names],
        "master_scale": model.master_scale_.to_json(),
        "calibrator": model.calibrator_.to_json(),
    }
    if isinstance(model, Scorecard):
        doc["scorecard"] = {
            "binnings": [model.binnings_[n].to_json() for n in model.schema_.names],
            "features": list(model.features_),
            "coef": [float(c) for c in model.coef_],
            "intercept": float(model.intercept_),
            "scaling": model.scaling_.to_json(),
            "points": {n: [float(p) for p in model.points_[n]] for n in model.features_},
        }
    elif isinstance(model, Challenger):
        doc["challenger"] = {
            "codes": [c.to_json() for c in model.codes_.values()],
            "ensemble": model.ensemble_.to_json(),
            "n_iter": model.n_iter_,
            "void": list(model.void_),
            "candidates": {n: [float(v) for v in c] for n, c in model.candidates_.items()},
        }
    return doc


def decode(doc: dict[str, Any]) -> CreditModel:
    """A fitted model from its JSON document; malformed documents raise ArtifactInvalid."""
    if doc.get("format") != FORMAT or doc.get("format_version") != FORMAT_VERSION:
        raise ArtifactInvalid("not a threeflow credit model of a known format", field="format")
    try:
        cls = TYPES[doc["model_type"]]
        params = dict(doc["params"])
        if params.get("master_scale") is not None:
            params["master_scale"] = tuple(params["master_scale"])
        model = cls(**params)
        model.schema_ = FeatureSchema.from_json(doc["schema"])
        model.classes_ = np.asarray(doc["classes"])
        model.n_features_in_ = len(model.schema_.features)
        if doc["feature_names_in"] is not None:
            model.feature_names_in_ = np.asarray(doc["feature_names_in"], dtype=object)
        model.master_scale_ = MasterScale.from_json(doc["master_scale"])
        model.calibrator_ = Calibrator.from_json(doc["calibrator"])
        if isinstance(model, Scorecard):
            _scorecard(model, doc["scorecard"])
        elif isinstance(model, Challenger):
            _challenger(model, doc["challenger"])
    except ArtifactInvalid:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactInvalid(f"malformed model document: {exc!r}", field="model") from exc
    return model


def _scorecard(model: Scorecard, part: dict[str, Any]) -> None:
    binnings = [FeatureBinning.from_json(b) for b in part["binnings"]]
    model.binnings_ = {b.name: b for b in binnings}
    model.iv_ = {b.name: b.iv for b in binnings}
    model.features_ = tuple(str(n) for n in part["features"])
    model.coef_ = np.asarray(part["coef"], dtype=np.float64)
    model.intercept_ = float(part["intercept"])
    model.scaling_ = PointsScaling.from_json(part["scaling"])
    model.points_ = {n: np.asarray(part["points"][n], dtype=np.float64) for n in model.features_}
    for name in model.features_:
        if len(model.points_[name]) != len(model.binnings_[name].bins):
            raise ArtifactInvalid("points and bins differ in number", field=name)


def _challenger(model: Challenger, part: dict[str, Any]) -> None:
    codes = [CategoryCodes.from_json(c) for c in part["codes"]]
    model.codes_ = {c.name: c for c in codes}
    model.ensemble_ = TreeEnsemble.from_json(part["ensemble"])
    model.n_iter_ = int(part["n_iter"])
    model.void_ = tuple(str(n) for n in part["void"])
    model.candidates_ = {n: np.asarray(v, dtype=np.float64) for n, v in part["candidates"].items()}
    if int(model.ensemble_.feature.max(initial=0)) >= len(model.schema_.features):
        raise ArtifactInvalid("a tree splits on a feature outside the schema", field="trees")
