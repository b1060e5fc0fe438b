"""Every generated event is one the ledger accepts: schema, signature, key, time."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

from ledger.core.event_types import REGISTRY
from ledger.core.keys import verify_signature
from simulations.world import month_start
from tests.simulations.conftest import SmallRun


def test_every_payload_fits_the_registry_and_every_signature_verifies(small_run: SmallRun) -> None:
    sink = small_run.sink
    assert len(sink.events) > 5000
    keys = {pid: reg.public_key for pid, reg in sink.participants.items()}
    for event in sink.events:
        REGISTRY.validate(event.flow, event.type, dict(event.payload))
        verify_signature(keys[event.actor], event.canonical, event.signature)
        assert str(uuid.UUID(event.id)) == event.id


def test_events_fall_inside_the_simulated_period(small_run: SmallRun) -> None:
    start = datetime.combine(small_run.config.start, datetime.min.time(), tzinfo=UTC)
    end = month_start(small_run.config.start, small_run.config.months)
    assert all(start <= event.occurred_at < end for event in small_run.sink.events)


def test_ids_are_unique(small_run: SmallRun) -> None:
    ids = Counter(event.id for event in small_run.sink.events)
    assert ids.most_common(1)[0][1] == 1


def test_all_three_flows_every_month(small_run: SmallRun) -> None:
    seen = {(e.occurred_at.strftime("%Y-%m"), e.flow) for e in small_run.sink.events}
    months = {month for month, _ in seen}
    assert len(months) == small_run.config.months
    for month in months:
        assert {flow for m, flow in seen if m == month} == {"information", "logistics", "finance"}


def test_the_stream_holds_the_lifecycles_the_issue_names(small_run: SmallRun) -> None:
    types = Counter(event.type for event in small_run.sink.events)
    for name in (
        "listing.published", "order.placed", "order.accepted", "order.cancelled",
        "invoice.issued", "review.posted", "dispute.opened", "goods.commissioned",
        "goods.packed", "shipment.dispatched", "customs.declared", "customs.cleared",
        "goods.received", "stock.counted", "payment.made", "receipt.issued",
        "receipt.pledged", "receipt.released", "loan.disbursed", "credit_line.opened",
        "credit_line.drawn", "loan.past_due", "loan.defaulted", "account.login",
        "credit.application", "stock.price_changed",
    ):  # fmt: skip
        assert types[name] > 0, name


def test_money_is_integer_cents_and_no_payload_holds_a_float(small_run: SmallRun) -> None:
    def walk(value: object) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            if "amount_minor" in value:
                assert isinstance(value["amount_minor"], int)
                assert value["currency"] == "USD"
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for event in small_run.sink.events:
        walk(dict(event.payload))
