"""Fraud leaves evidence on the ledger, none of it a label: bursts, unconfirmed invoices."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import pandas as pd

from tests.simulations.conftest import SmallRun


def _labels(run: SmallRun) -> pd.DataFrame:
    return pd.read_parquet(run.truth / "participants.parquet").set_index("participant_id")


def _applications(run: SmallRun) -> dict[str, list[datetime]]:
    times: dict[str, list[datetime]] = defaultdict(list)
    for event in run.sink.events:
        if event.type == "credit.application":
            times[event.actor].append(event.occurred_at)
    return times


def test_bursts_within_the_hour_come_from_fraudsters_but_not_every_fraudster_bursts(
    small_run: SmallRun,
) -> None:
    labels = _labels(small_run)
    times = _applications(small_run)
    bursts = {
        actor
        for actor, moments in times.items()
        if any(sum(1 for t in moments if s <= t <= s + timedelta(hours=1)) >= 3 for s in moments)
    }
    assert bursts
    assert all(labels.fraud[actor] for actor in bursts)
    fraud_applicants = {a for a in times if labels.fraud[a]}
    assert fraud_applicants - bursts  # some spread their applications over weeks


def test_honest_firms_shop_around_too(small_run: SmallRun) -> None:
    labels = _labels(small_run)
    lenders: dict[str, set[str]] = defaultdict(set)
    for event in small_run.sink.events:
        if event.type == "credit.application":
            lenders[event.actor].add(event.payload["lender"])
    assert any(len(names) > 1 and not labels.fraud[actor] for actor, names in lenders.items())


def test_invoices_without_an_order_come_from_fraudsters_and_are_never_confirmed(
    small_run: SmallRun,
) -> None:
    labels = _labels(small_run)
    ordered = {e.payload["order_id"] for e in small_run.sink.events if e.type == "order.placed"}
    fictitious = {
        e.id: e.actor
        for e in small_run.sink.events
        if e.type == "invoice.issued" and e.payload["order_id"] not in ordered
    }
    assert fictitious
    assert all(labels.fraud[actor] for actor in fictitious.values())
    confirmed = {
        e.payload["claim_id"] for e in small_run.sink.events if e.type == "claim.confirmed"
    }
    assert not confirmed & set(fictitious)


def test_fraudulent_accounts_mismatch_more_often_on_average(small_run: SmallRun) -> None:
    labels = _labels(small_run)
    odd: dict[bool, list[bool]] = defaultdict(list)
    for event in small_run.sink.events:
        if event.type == "account.login":
            p = event.payload
            country = labels.country[p["account"]]
            odd[bool(labels.fraud[p["account"]])].append(
                p["ip_country"] != country or p["billing_country"] != country or p["proxy"]
            )
    fraud, honest = (sum(odd[k]) / len(odd[k]) for k in (True, False))
    assert 0.05 < honest < fraud < 0.9
