"""Tables a credit committee reads: information value, calibration by grade, reliability."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from credit.binning import BinningSettings, FeatureBinning, iv_band
from credit.evaluation.metrics import outcomes_and_pd
from credit.master_scale import MasterScale


def iv_table(source: Any, y: npt.ArrayLike | None = None, **settings: Any) -> pd.DataFrame:
    """Information value per feature, strongest first, with its DOMAIN band.

    ``source`` is a fitted :class:`~credit.Scorecard` (its own bins; ``used`` says whether
    the feature is in the model) or features ``X`` with outcomes ``y``, binned here with
    the scorecard's binning (``settings`` as in :class:`BinningSettings`).
    """
    binnings: dict[str, FeatureBinning]
    used: set[str] | None = None
    if hasattr(source, "binnings_"):
        binnings, used = source.binnings_, set(source.features_)
    else:
        binnings = _bin_frame(source, y, BinningSettings(**settings))
    rows = [
        {
            "feature": name,
            "iv": b.iv,
            "band": iv_band(b.iv),
            "bins": len(b.bins) - 1,
            "missing_share": b.bins[-1].count / max(1, sum(x.count for x in b.bins)),
            **({"used": name in used} if used is not None else {}),
        }
        for name, b in binnings.items()
    ]
    return pd.DataFrame(rows).sort_values("iv", ascending=False, ignore_index=True)


def _bin_frame(X: Any, y: Any, settings: BinningSettings) -> dict[str, FeatureBinning]:
    from credit.frame import frame_from, infer_schema
    from credit.models.validation import column_arrays
    from credit.models.woe_logistic import fit_binnings

    frame = frame_from(X)
    schema = infer_schema(frame)
    target = np.asarray(y).astype(np.int64)
    return fit_binnings(column_arrays(frame, schema), target, schema, settings)


def calibration_by_grade(
    y: npt.ArrayLike, pd_bad: npt.ArrayLike, scale: MasterScale | None = None
) -> pd.DataFrame:
    """Observed against predicted PD in each master-scale grade (empty grades left out)."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    scale = scale or MasterScale()
    grades = scale.grade(pred)
    rows = []
    for band in scale.bands:
        mask = grades == band.grade
        if mask.any():
            rows.append(
                {
                    "grade": band.grade,
                    "pd_from": band.lower,
                    "pd_to": band.upper,
                    "count": int(mask.sum()),
                    "bads": int(outcome[mask].sum()),
                    "predicted_pd": float(pred[mask].mean()),
                    "observed_pd": float(outcome[mask].mean()),
                }
            )
    return pd.DataFrame(rows)


def reliability_table(y: npt.ArrayLike, pd_bad: npt.ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Mean predicted against observed PD in equal-count bins of predicted PD."""
    outcome, pred = outcomes_and_pd(y, pd_bad)
    order = np.argsort(pred, kind="stable")
    rows = []
    for part in np.array_split(order, min(bins, outcome.size)):
        rows.append(
            {
                "count": int(part.size),
                "predicted_pd": float(pred[part].mean()),
                "observed_pd": float(outcome[part].mean()),
            }
        )
    return pd.DataFrame(rows)
