"""Every generated event is one the ledger accepts: schema, signature, key, time, authority."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ledger.core.clock import FixedClock
from ledger.core.event_types import REGISTRY, check_authority
from ledger.core.keys import verify_signature
from simulations.signer import agent_key
from simulations.sink import MemorySink, SinkRefused
from simulations.world import month_start
from tests.simulations.conftest import SmallRun


def test_every_payload_fits_every_signature_verifies_every_actor_is_authorised(
    small_run: SmallRun,
) -> None:
    sink = small_run.sink
    assert len(sink.events) > 10_000
    regs = sink.participants
    for event in sink.events:
        REGISTRY.validate(event.flow, event.type, dict(event.payload))
        verify_signature(regs[event.actor].public_key, event.canonical, event.signature)
        check_authority(
            REGISTRY.event_type(event.flow, event.type),
            event.actor,
            event.payload,
            regs[event.actor].roles,
        )
        assert str(uuid.UUID(event.id)) == event.id


def test_participants_hold_the_roles_the_rules_ask_for(small_run: SmallRun) -> None:
    roles = Counter(role for reg in small_run.sink.participants.values() for role in reg.roles)
    for role in (
        "platform",
        "inspector",
        "price_publisher",
        "customs",
        "warehouse",
        "carrier",
        "lender",
        "seller",
        "buyer",
    ):
        assert roles[role] > 0, role
    assert roles["lender"] >= 5


def test_the_memory_sink_refuses_an_act_by_the_wrong_party() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    sink = MemorySink(clock=FixedClock(start + timedelta(days=1)))
    seller = agent_key(1, "seller-1")
    sink.register_participant("seller-1", "S", ["seller"], "CN", seller.public_key, start)
    from simulations.signer import Signer

    event = Signer("seller-1", seller).event(
        event_id=str(uuid.uuid4()),
        flow="finance",
        type="loan.repaid",
        payload={
            "loan_id": "l-1",
            "lender": "seller-1",
            "amount": {"amount_minor": 1, "currency": "USD"},
        },
        occurred_at=start + timedelta(hours=1),
    )
    with pytest.raises(SinkRefused, match="role lender"):
        sink.append_batch([event])


def test_the_ledger_clock_follows_simulated_time(small_run: SmallRun) -> None:
    """Recorded times never go backwards and never trail an event by more than the skew."""
    sink = small_run.sink
    assert sink.recorded_at == sorted(sink.recorded_at)
    lag = max(e.occurred_at - r for e, r in zip(sink.events, sink.recorded_at, strict=True))
    assert lag <= timedelta(0)
    assert sink.recorded_at[-1] < month_start(small_run.config.start, small_run.config.months)


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


def test_the_stream_holds_every_lifecycle_the_issues_name(small_run: SmallRun) -> None:
    types = Counter(event.type for event in small_run.sink.events)
    for name in (
        "listing.published",
        "order.placed",
        "order.accepted",
        "order.cancelled",
        "invoice.issued",
        "review.posted",
        "dispute.opened",
        "dispute.resolved",
        "certification.issued",
        "insolvency.filed",
        "goods.commissioned",
        "goods.packed",
        "shipment.dispatched",
        "shipment.delivered",
        "customs.declared",
        "customs.held",
        "customs.cleared",
        "goods.received",
        "stock.counted",
        "payment.made",
        "receipt.issued",
        "receipt.pledged",
        "receipt.released",
        "receipt.cancelled",
        "loan.disbursed",
        "loan.schedule_issued",
        "loan.interest_posted",
        "loan.fee_posted",
        "loan.statement_issued",
        "loan.repaid",
        "loan.margin_called",
        "loan.margin_cured",
        "loan.past_due",
        "loan.defaulted",
        "loan.recovery_posted",
        "loan.written_off",
        "collateral.liquidated",
        "credit_line.opened",
        "credit_line.drawn",
        "credit_line.interest_posted",
        "credit_line.fee_posted",
        "credit_line.statement_issued",
        "credit_line.repaid",
        "credit_line.frozen",
        "credit_line.past_due",
        "credit_line.defaulted",
        "credit_line.written_off",
        "credit_line.closed",
        "account.login",
        "credit.application",
        "credit.decision",
        "stock.price_changed",
        "claim.confirmed",
        "claim.rejected",
    ):
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


def test_subjects_name_the_other_parties_never_only_the_actor(small_run: SmallRun) -> None:
    for event in small_run.sink.events:
        if event.type == "payment.made":
            assert event.payload["payee"] in event.subjects
        if event.subjects:
            assert set(event.subjects) != {event.actor}, event.type
