"""On a simulated world the fraud score tells bust-out fraudsters from honest applicants
much better than chance, and better than the velocity rule alone (fixed seed)."""

from __future__ import annotations

from typing import Any

from sklearn.metrics import roc_auc_score

from finance_api.lending.rules.fraud import FraudState
from simulations.config import CreditConfig, FraudConfig, SimulationConfig
from simulations.engine import Simulation
from simulations.truth import MemoryTruth

WORLD = SimulationConfig(
    participants=300,
    months=10,
    seed=21,
    credit=CreditConfig(history_months=(1, 1)),
    fraud=FraudConfig(seller_share=0.15, buyer_share=0.05, spread_months=4),
)


def test_the_fraud_score_separates_fraudsters_on_a_simulated_world() -> None:
    seen: list[tuple[str, dict[str, Any], Any]] = []

    def keep(flow: str, etype: str, actor: str, payload: Any, when: Any) -> None:
        if etype in ("account.login", "credit.application"):
            seen.append((etype, dict(payload), when))

    truth = MemoryTruth()
    Simulation(WORLD, sign=False, truth=truth, observer=keep).run()
    people = truth.participants
    countries = dict(zip(people["participant_id"], people["country"], strict=True))
    fraud = dict(zip(people["participant_id"], people["fraud"], strict=True))
    state = FraudState(countries)
    labels, points, velocity = [], [], []
    for etype, payload, when in seen:
        if etype == "account.login":
            state.login(payload)
            continue
        result = state.application(payload, when)
        labels.append(bool(fraud[payload["applicant"]]))
        points.append(result.points)
        velocity.append(result.signals["application_velocity"])
    assert 20 <= sum(labels) < len(labels)
    auc = roc_auc_score(labels, points)
    assert auc > 0.7
    assert auc > roc_auc_score(labels, velocity)
