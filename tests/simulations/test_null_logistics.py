"""The null-logistics world: logistics outcomes say nothing about default; the baseline's do.

Features are the logistics quality signals a credit model would read (the share of
deliveries late, of customs declarations held, of shipments lost, of warehouse counts that
found goods missing), per honest seller over 24 months, against whether it defaulted or
failed. Volumes (shipments, lots received, stock counted) are left out: they follow the
orders of the information flow in both worlds by construction (every accepted order is
shipped, stock is bought for the orders coming in), so they add nothing the information
flow does not already show, and over a whole period they also stop when a firm fails.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.model_selection import cross_val_predict  # type: ignore[import-untyped]

from simulations.config import SimulationConfig
from simulations.scenarios import scenario_config
from tests.simulations.conftest import observed

pytestmark = pytest.mark.slow

BASE = SimulationConfig(participants=2000, months=24, seed=1)


def _seller(identifier: str) -> int:
    return int(identifier.split("-")[1])


def _logistics_auc(name: str) -> float:
    sim, seen, _ = observed(
        scenario_config(BASE, name),
        lambda t: (
            t
            in (
                "shipment.delivered",
                "customs.declared",
                "customs.held",
                "goods.lost",
                "stock.counted",
            )
        ),
    )
    counts: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for _, etype, _, p, _ in seen:
        if etype == "shipment.delivered" and p["consignee"].startswith("buyer"):
            c = counts[_seller(p["shipment_id"])]
            c["delivered"] += 1
            c["late"] += 0 if p["on_time"] else 1
        elif etype in ("customs.declared", "customs.held"):
            counts[_seller(p["shipment_id"])][etype] += 1
        elif etype == "goods.lost" and "shipment_id" in p:
            counts[_seller(p["shipment_id"])]["lost"] += 1
        elif etype == "goods.lost":
            counts[_seller(p["lot_id"])]["shrunk"] += 1
        elif etype == "stock.counted":
            counts[_seller(p["lot_id"])]["counts"] += 1
    rows: list[dict[str, Any]] = []
    for s in sim.population.sellers:
        if s.fraud:
            continue
        c = counts[s.num]
        rows.append(
            {
                "late": c["late"] / max(1, c["delivered"]),
                "held": c["customs.held"] / max(1, c["customs.declared"]),
                "lost": c["lost"] / max(1, c["delivered"]),
                "shrinkage": c["shrunk"] / max(1, c["counts"]),
                "bad": s.default_date is not None or s.failure_date is not None,
            }
        )
    frame = pd.DataFrame(rows)
    assert frame.bad.sum() > 40
    scores = cross_val_predict(
        LogisticRegression(max_iter=2000),
        frame.drop(columns="bad"),
        frame.bad,
        cv=5,
        method="predict_proba",
    )[:, 1]
    return float(roc_auc_score(frame.bad, scores))


def test_logistics_carries_default_information_in_the_baseline_only() -> None:
    baseline, null = _logistics_auc("baseline"), _logistics_auc("null-logistics")
    assert baseline >= 0.6, baseline
    assert null <= 0.56, null
