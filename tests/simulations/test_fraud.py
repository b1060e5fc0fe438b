"""Fraud signals are there for fraud-labelled actors and rare for everyone else."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pandas as pd

from simulations.config import MARKETS, SELLER_COUNTRIES
from tests.simulations.conftest import SmallRun

OFFSETS = {m.country: m.utc_offset_minutes for m in MARKETS}
OFFSETS.update({country: offset for country, _, _, offset in SELLER_COUNTRIES})


def _labels(run: SmallRun) -> pd.DataFrame:
    return pd.read_parquet(run.truth / "participants.parquet").set_index("participant_id")


def test_login_signals_disagree_with_the_registered_country_mostly_for_fraudsters(
    small_run: SmallRun,
) -> None:
    labels = _labels(small_run)
    odd: dict[str, list[bool]] = defaultdict(list)
    for event in small_run.sink.events:
        if event.type != "account.login":
            continue
        p = event.payload
        country = labels.country[p["account"]]
        odd[p["account"]].append(
            p["ip_country"] != country
            or p["billing_country"] != country
            or p["utc_offset_minutes"] != OFFSETS[country]
            or p["proxy"]
        )
    fraud = [flag for acc, flags in odd.items() if labels.fraud[acc] for flag in flags]
    honest = [flag for acc, flags in odd.items() if not labels.fraud[acc] for flag in flags]
    assert len(fraud) > 50
    assert len(honest) > 500
    assert sum(fraud) / len(fraud) > 0.7
    assert sum(honest) / len(honest) < 0.1


def test_fraud_rings_share_devices_honest_accounts_do_not(small_run: SmallRun) -> None:
    labels = _labels(small_run)
    users: dict[str, set[str]] = defaultdict(set)
    for event in small_run.sink.events:
        if event.type == "account.login":
            users[event.payload["device_id"]].add(event.payload["account"])
    shared = {acc for accounts in users.values() if len(accounts) > 1 for acc in accounts}
    assert shared
    assert all(labels.fraud[acc] for acc in shared)


def test_application_bursts_come_from_fraudsters_only(small_run: SmallRun) -> None:
    labels = _labels(small_run)
    times: dict[str, list[datetime]] = defaultdict(list)
    for event in small_run.sink.events:
        if event.type == "credit.application":
            times[event.actor].append(event.occurred_at)
    bursts = {
        actor
        for actor, moments in times.items()
        if any(
            sum(1 for t in moments if start <= t <= start + timedelta(hours=1)) >= 3
            for start in moments
        )
    }
    assert bursts
    assert all(labels.fraud[actor] for actor in bursts)
    fraud_sellers = labels[(labels.role == "seller") & labels.fraud]
    applied = fraud_sellers.index.intersection(list(times))
    assert set(applied) <= bursts
