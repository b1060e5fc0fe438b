"""Credit scoring for supply-chain finance, usable on any tabular credit data.

Two scikit-learn classifiers — :class:`Scorecard` (monotone WoE bins, logistic regression,
points) and :class:`Challenger` (gradient-boosted trees) — with calibrated PD, master-scale
grades and reason codes; safe, versioned persistence; evaluation and monitoring.

Names are imported on first use (PEP 562), so ``import credit`` does not load
scikit-learn, pandas or matplotlib.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credit.binning import Bin, FeatureBinning, iv_band
    from credit.calibration import Calibrator
    from credit.errors import (
        ArtifactInvalid,
        ArtifactTampered,
        CreditError,
        InvalidInput,
        SchemaMismatch,
    )
    from credit.evaluation.metrics import (
        Interval,
        LenderLoss,
        auc,
        bootstrap_auc,
        brier,
        gini,
        ks,
        lender_loss,
    )
    from credit.evaluation.plots import calibration_plot, roc_plot, score_distribution_plot
    from credit.evaluation.report import Report, write_report
    from credit.evaluation.tables import calibration_by_grade, iv_table, reliability_table
    from credit.master_scale import GradeBand, MasterScale
    from credit.models.challenger import Challenger
    from credit.models.scorecard import Scorecard
    from credit.models.validation import NotFitted
    from credit.monitoring import PopulationShiftWarning, Stability, csi, psi, stability_band
    from credit.persistence.artifact import load_latest, load_model, save_model, versions
    from credit.persistence.model_card import ModelCard
    from credit.reasons import Reason
    from credit.scaling import PointsScaling
    from credit.schema import FeatureKind, FeatureSchema, FeatureSpec

_WHERE = {
    "Bin": "credit.binning",
    "FeatureBinning": "credit.binning",
    "iv_band": "credit.binning",
    "Calibrator": "credit.calibration",
    "ArtifactInvalid": "credit.errors",
    "ArtifactTampered": "credit.errors",
    "CreditError": "credit.errors",
    "InvalidInput": "credit.errors",
    "SchemaMismatch": "credit.errors",
    "Interval": "credit.evaluation.metrics",
    "LenderLoss": "credit.evaluation.metrics",
    "auc": "credit.evaluation.metrics",
    "bootstrap_auc": "credit.evaluation.metrics",
    "brier": "credit.evaluation.metrics",
    "gini": "credit.evaluation.metrics",
    "ks": "credit.evaluation.metrics",
    "lender_loss": "credit.evaluation.metrics",
    "calibration_plot": "credit.evaluation.plots",
    "roc_plot": "credit.evaluation.plots",
    "score_distribution_plot": "credit.evaluation.plots",
    "Report": "credit.evaluation.report",
    "write_report": "credit.evaluation.report",
    "calibration_by_grade": "credit.evaluation.tables",
    "iv_table": "credit.evaluation.tables",
    "reliability_table": "credit.evaluation.tables",
    "GradeBand": "credit.master_scale",
    "MasterScale": "credit.master_scale",
    "Challenger": "credit.models.challenger",
    "Scorecard": "credit.models.scorecard",
    "NotFitted": "credit.models.validation",
    "PopulationShiftWarning": "credit.monitoring",
    "Stability": "credit.monitoring",
    "csi": "credit.monitoring",
    "psi": "credit.monitoring",
    "stability_band": "credit.monitoring",
    "load_latest": "credit.persistence.artifact",
    "load_model": "credit.persistence.artifact",
    "save_model": "credit.persistence.artifact",
    "versions": "credit.persistence.artifact",
    "ModelCard": "credit.persistence.model_card",
    "Reason": "credit.reasons",
    "PointsScaling": "credit.scaling",
    "FeatureKind": "credit.schema",
    "FeatureSchema": "credit.schema",
    "FeatureSpec": "credit.schema",
}

__all__ = [
    "ArtifactInvalid",
    "ArtifactTampered",
    "Bin",
    "Calibrator",
    "Challenger",
    "CreditError",
    "FeatureBinning",
    "FeatureKind",
    "FeatureSchema",
    "FeatureSpec",
    "GradeBand",
    "Interval",
    "InvalidInput",
    "LenderLoss",
    "MasterScale",
    "ModelCard",
    "NotFitted",
    "PointsScaling",
    "PopulationShiftWarning",
    "Reason",
    "Report",
    "SchemaMismatch",
    "Scorecard",
    "Stability",
    "auc",
    "bootstrap_auc",
    "brier",
    "calibration_by_grade",
    "calibration_plot",
    "csi",
    "gini",
    "iv_band",
    "iv_table",
    "ks",
    "lender_loss",
    "load_latest",
    "load_model",
    "psi",
    "reliability_table",
    "roc_plot",
    "save_model",
    "score_distribution_plot",
    "stability_band",
    "versions",
    "write_report",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'credit' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
