"""No label leaks: login signals overlap between fraud and honest accounts, device ids say
nothing, and cancellation reasons do not separate distressed from healthy sellers.

Each test fits a simple cross-validated logistic regression on one family of signals, as a
credit or fraud modeller would, and bounds its AUC (``simulations/README.md``): login
signals against the fraud labels in 0.6-0.8, cancellation-reason mix against hidden
distress at most 0.62.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.model_selection import cross_val_predict  # type: ignore[import-untyped]

from simulations.config import SimulationConfig
from simulations.orders import BUYER_REASONS, SELLER_REASONS
from tests.simulations.conftest import observed

pytestmark = pytest.mark.slow

CONFIG = SimulationConfig(participants=2000, months=12, seed=1)


def _auc(features: pd.DataFrame, labels: pd.Series) -> float:
    model = LogisticRegression(max_iter=2000)
    scores = cross_val_predict(model, features.values, labels.values, cv=5, method="predict_proba")[
        :, 1
    ]
    return float(roc_auc_score(labels.values, scores))


@pytest.fixture(scope="module")
def world() -> Any:
    kept = ("account.login", "order.placed", "order.cancelled")
    return observed(CONFIG, lambda t: t in kept)


def test_login_signals_alone_do_not_give_the_fraud_labels_away(world: Any) -> None:
    sim, seen, _ = world
    pop = sim.population
    accounts = {a.pid: a for a in [*pop.sellers, *pop.buyers]}
    logins: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    users: dict[str, set[str]] = defaultdict(set)
    for _, etype, _, p, _ in seen:
        if etype == "account.login":
            logins[p["account"]].append(p)
            users[p["device_id"]].add(p["account"])
    rows = []
    for pid, seen_logins in logins.items():
        ident = accounts[pid].identity
        rows.append(
            {
                "ip": np.mean([p["ip_country"] != ident.country for p in seen_logins]),
                "card": np.mean([p["billing_country"] != ident.country for p in seen_logins]),
                "clock": np.mean(
                    [p["utc_offset_minutes"] != ident.utc_offset_minutes for p in seen_logins]
                ),
                "proxy": np.mean([p["proxy"] for p in seen_logins]),
                "shared": float(any(len(users[p["device_id"]]) > 1 for p in seen_logins)),
                "fraud": accounts[pid].fraud,
            }
        )
    frame = pd.DataFrame(rows)
    assert frame.fraud.sum() > 30
    auc = _auc(frame.drop(columns="fraud"), frame.fraud)
    assert 0.6 <= auc <= 0.8, auc
    honest = frame[~frame.fraud]
    assert (honest[["ip", "card", "clock", "proxy"]].sum(axis=1) > 0).mean() > 0.2
    assert honest.shared.mean() > 0.02  # family businesses share devices too


def test_device_ids_are_opaque(world: Any) -> None:
    _, seen, _ = world
    devices = {p["device_id"] for _, etype, _, p, _ in seen if etype == "account.login"}
    assert all(re.fullmatch(r"dev-[0-9a-f]{20}", device) for device in devices)


def test_cancellation_reasons_do_not_separate_distressed_from_healthy_sellers(world: Any) -> None:
    _sim, seen, truth = world
    monthly = pd.concat([pd.DataFrame(rows) for rows in truth.months], ignore_index=True)
    sellers = monthly[monthly.role == "seller"]
    hidden = sellers.groupby("participant_id").apply(
        lambda g: bool((g.cash_minor < 0).any() or g.distressed.any()), include_groups=False
    )
    reasons = [*SELLER_REASONS, *BUYER_REASONS, "lost_in_transit"]
    cancelled: dict[str, list[str]] = defaultdict(list)
    for _, etype, _, p, _ in seen:
        if etype == "order.cancelled":
            cancelled[p["seller"]].append(p["reason"])
    assert {r for rs in cancelled.values() for r in rs} <= set(reasons)
    rows = [
        {**{r: given.count(r) / len(given) for r in reasons}, "distressed": hidden[pid]}
        for pid, given in cancelled.items()
    ]
    frame = pd.DataFrame(rows)
    assert 0.15 < frame.distressed.mean() < 0.85
    assert _auc(frame.drop(columns="distressed"), frame.distressed) <= 0.62
