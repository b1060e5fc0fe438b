"""Point-in-time ledger features: nothing after the as-of tree leaks in, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event

from credit.features import FEATURE_SCHEMA, FEATURE_SCHEMA_HASH, FLOWS, NAMES, compute, names_of
from credit.features.labels import population, read_labels
from ledger.core.events import Event
from ledger.log import Ledger
from simulations.signer import agent_key
from tests.credit.ledgers import SimLedger
from tests.ledger.stores import Store


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a.to_numpy(), b.to_numpy(), equal_nan=True))


@pytest.fixture
def copy(sim_ledger: SimLedger, credit_store: Store) -> Iterator[Ledger]:
    url = credit_store.clone(sim_ledger.url)
    sim = SimLedger(url, sim_ledger.truth, sim_ledger.config, sim_ledger.clock, sim_ledger.size)
    ledger = sim.open()
    yield ledger
    ledger.close()
    credit_store.drop(url)


def _later_trade(ledger: Ledger, seed: int, seller: str, buyer: str) -> list[Event]:
    """An order, its shipment and a late payment, one in each flow, after the tree."""
    clock: Any = ledger.clock
    clock.advance(timedelta(hours=1))
    now = clock.now()
    usd = {"amount_minor": 500_000, "currency": "USD"}
    order = Event.create(
        agent_key(seed, buyer), flow="information", type="order.placed", actor=buyer,
        payload={"order_id": "ord-later-1", "seller": seller, "buyer": buyer, "total": usd,
                 "terms_days": 30}, occurred_at=now, subjects=[seller],
    )  # fmt: skip
    shipment = Event.create(
        agent_key(seed, "carrier-0001"), flow="logistics", type="shipment.dispatched",
        actor="carrier-0001", payload={"shipment_id": "shp-later-1", "origin": "CN",
        "destination": "US", "order_id": "ord-later-1", "carrier": "carrier-0001"}, occurred_at=now,
        subjects=[seller, buyer],
    )  # fmt: skip
    payment = Event.create(
        agent_key(seed, buyer), flow="finance", type="payment.made", actor=buyer,
        payload={"payment_id": "pay-later-1", "amount": usd, "payer": buyer, "payee": seller,
                 "invoice_id": "inv-later-1", "days_late": 40, "purpose": "invoice"},
        occurred_at=now, subjects=[seller],
    )  # fmt: skip
    return [order, shipment, payment]


def test_an_entry_after_the_as_of_point_changes_no_feature(
    copy: Ledger, sim_ledger: SimLedger
) -> None:
    size = copy.size()
    before = compute(copy, size)
    sellers = [p for p, r in before.roles.items() if r == "seller"]
    buyers = [p for p, r in before.roles.items() if r == "buyer"]
    seller, buyer = sellers[0], buyers[0]
    copy.append_batch(_later_trade(copy, sim_ledger.config.seed, seller, buyer))

    again = compute(copy, size)
    assert again.as_of == before.as_of
    assert same(again.frame, before.frame)
    picked = compute(copy, size, [seller, buyer])
    assert same(picked.frame, before.frame.loc[sorted([seller, buyer])])

    after = compute(copy).frame  # the new entries do count once they are in the tree
    moved = after.loc[seller].compare(before.frame.loc[seller]).index
    for name in ("info_orders_90d", "log_shipments_90d", "fin_received_late_share_180d"):
        assert name in moved
    assert (
        after.loc[buyer, "info_orders_placed_90d"]
        == before.frame.loc[buyer, "info_orders_placed_90d"] + 1
    )


def test_a_few_participants_get_the_features_of_the_full_pass(sim_ledger: SimLedger) -> None:
    with sim_ledger.open() as ledger:
        size = int(ledger.size() * 0.6)
        full = compute(ledger, size)
        few = sorted(full.frame.index[::7])
        assert same(compute(ledger, size, few).frame, full.frame.loc[few])


def test_the_full_pass_is_a_fixed_number_of_queries(sim_ledger: SimLedger) -> None:
    statements: list[str] = []
    with sim_ledger.open() as ledger:

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(ledger.engines.read, "before_cursor_execute", count)
        table = compute(ledger)
    assert len(table.frame) > 100
    # the head, the as-of time, the root (nodes and maybe a few leaves), the one scan
    assert len(statements) <= 8
    assert sum("entries.canonical" in s for s in statements) == 1


def test_labels_come_from_the_ledger_and_agree_with_the_truth(sim_ledger: SimLedger) -> None:
    with sim_ledger.open() as ledger:
        table = compute(ledger, int(ledger.size() * 0.35))
        labels = read_labels(ledger, table)
    _, y = population(table, labels)
    assert 0 < y.sum() < len(y)
    loans = pd.read_parquet(sim_ledger.truth / "loans.parquet")
    start = table.as_of.at.date()
    defaulted = loans[loans.default_date.notna()]
    in_window = defaulted[defaulted.default_date.map(lambda d: d > start)]
    expected = {b for b in in_window.borrower if b not in table.bad_before}
    got = {p for p in labels.bad if p not in table.bad_before}
    people = pd.read_parquet(sim_ledger.truth / "participants.parquet").set_index("participant_id")
    insolvent = {p for p in got - expected if people.loc[p, "failure_date"] is not None}
    assert expected <= got
    assert got - expected == insolvent  # the rest filed for insolvency without a facility
    for p in expected:
        first = min(d for d in in_window[in_window.borrower == p].default_date)
        assert labels.bad[p] <= first


def test_the_schema_hash_names_the_features() -> None:
    assert FEATURE_SCHEMA.names == NAMES
    assert len(FEATURE_SCHEMA_HASH) == 64
    assert FEATURE_SCHEMA.subset(NAMES[:-1]).sha256 != FEATURE_SCHEMA_HASH
    assert sorted(n for f in FLOWS for n in names_of([f])) == sorted(NAMES)
    with pytest.raises(ValueError, match="unknown flows"):
        names_of(["marketing"])
