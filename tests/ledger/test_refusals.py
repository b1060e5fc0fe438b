"""Every refusal names its field, says why, and writes nothing, on both backends.

Each case is tried alone and as the third event of a batch (whose field then reads
``events[2].<field>``); the ledger's size must not move either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from ledger.core.canonical import canonicalize
from ledger.core.clock import FixedClock
from ledger.core.errors import InvalidEvent, LedgerError, SignatureInvalid, UnknownKey
from ledger.core.events import Event, make_body
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from tests.ledger.scenario import (
    BUYER,
    NOW,
    OTHER_LEDGER_KEY,
    SELLER,
    T0,
    key_for,
    open_ledger,
    order_accepted,
    rotated_key,
)

REVOKED, EXPIRING, EARLY = "revoked-co", "expiring-co", "early-co"
EXPIRES = T0 + timedelta(days=30)
STARTS = NOW + timedelta(days=30)  # a key that may sign only from a month after the clock


@pytest.fixture(scope="module")
def keyed(registered: Ledger) -> Ledger:
    """The module's ledger plus a participant whose key is revoked and one whose expires."""
    registered.register_participant(
        REVOKED, "Revoked Co", ["seller"], None, key_for(REVOKED).public_key, T0
    )
    registered.revoke_key(REVOKED, key_for(REVOKED).key_id, "compromised")
    registered.register_participant(
        EXPIRING, "Expiring Co", ["buyer"], None, key_for(EXPIRING).public_key, T0, EXPIRES
    )
    registered.register_participant(
        EARLY, "Early Co", ["seller"], None, key_for(EARLY).public_key, STARTS
    )
    return registered


def signed(
    key: SigningKey,
    *,
    flow: str = "information",
    type: str = "order.accepted",
    actor: str = SELLER,
    payload: Any = None,
    occurred_at: datetime = T0 + timedelta(days=1),
    tag: str = "x",
) -> Event:
    """A correctly signed event built without the checks of :meth:`Event.from_body`.

    This is how a buggy or hostile client in the same process could hand the ledger an
    event the wire parser would never produce (unknown flow, non-object payload).
    """
    body = make_body(
        flow=flow,
        type=type,
        actor=actor,
        key_id=key.key_id,
        payload={},
        occurred_at=occurred_at,
        event_id=order_accepted(actor, tag).id,
    )
    body["payload"] = {"order_id": f"order-{tag}"} if payload is None else payload
    canonical = canonicalize(body)
    return Event(
        id=body["id"],
        flow=flow,
        type=type,
        actor=actor,
        key_id=key.key_id,
        subjects=(),
        occurred_at=occurred_at,
        payload=body["payload"],
        canonical=canonical,
        signature=key.sign(canonical),
    )


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[str], Event]
    error: type[LedgerError]
    field: str
    reason: str


def _bad_signature(tag: str) -> Event:
    good = order_accepted(SELLER, tag)
    return Event.from_body(good.body(), key_for(SELLER).sign(b"something else"))


CASES = [
    Case("bad signature", _bad_signature, SignatureInvalid, "signature", "does not verify"),
    Case(
        "unknown actor",
        lambda tag: order_accepted("nobody-01", tag, key=rotated_key("nobody-01")),
        UnknownKey,
        "actor",
        "unknown actor 'nobody-01'",
    ),
    Case(
        "unknown key",
        lambda tag: order_accepted(SELLER, tag, key=rotated_key(SELLER, 9)),
        UnknownKey,
        "key_id",
        "unknown key",
    ),
    Case(
        "key of another participant",
        lambda tag: order_accepted(SELLER, tag, key=key_for(BUYER)),
        UnknownKey,
        "key_id",
        f"does not belong to {SELLER}",
    ),
    Case(
        "revoked key",
        lambda tag: order_accepted(REVOKED, tag),
        UnknownKey,
        "key_id",
        "was revoked",
    ),
    Case(
        "recorded before the key's valid_from",
        lambda tag: order_accepted(EARLY, tag, at=T0 + timedelta(days=1)),
        UnknownKey,
        "key_id",
        "is not valid before 2026-01-31",
    ),
    Case(
        "at the key's valid_until",
        lambda tag: order_accepted(EXPIRING, tag, at=EXPIRES),
        UnknownKey,
        "key_id",
        "expired at 2025-01-31",
    ),
    Case(
        "in the future",
        lambda tag: order_accepted(SELLER, tag, at=NOW + timedelta(minutes=5, seconds=1)),
        InvalidEvent,
        "occurred_at",
        "future",
    ),
    Case(
        "unknown flow",
        lambda tag: signed(key_for(SELLER), flow="weather", tag=tag),
        InvalidEvent,
        "flow",
        "unknown flow 'weather'",
    ),
    Case(
        "unknown type",
        lambda tag: signed(key_for(SELLER), type="order.teleported", tag=tag),
        InvalidEvent,
        "type",
        "unknown type 'order.teleported'",
    ),
    Case(
        "type of another flow",
        lambda tag: signed(key_for(SELLER), flow="finance", tag=tag),
        InvalidEvent,
        "type",
        "unknown type 'order.accepted' for flow 'finance'",
    ),
    Case(
        "payload not an object",
        lambda tag: signed(key_for(SELLER), payload=["order-1"], tag=tag),
        InvalidEvent,
        "payload",
        "must be a JSON object",
    ),
    Case(
        "payload misses a required field",
        lambda tag: order_accepted(SELLER, tag, payload={"order": "x"}),
        InvalidEvent,
        "payload",
        "'order_id' is a required property",
    ),
    Case(
        "payload field of the wrong type",
        lambda tag: order_accepted(SELLER, tag, payload={"order_id": 42, "seller": SELLER}),
        InvalidEvent,
        "payload.order_id",
        "is not of type 'string'",
    ),
    Case(
        "nested payload field failing its schema",
        lambda tag: Event.create(
            key_for(BUYER),
            flow="information",
            type="order.placed",
            actor=BUYER,
            payload={
                "order_id": "o-1",
                "seller": SELLER,
                "buyer": BUYER,
                "total": {"amount_minor": 100, "currency": "usd"},
            },
            occurred_at=T0 + timedelta(days=1),
            event_id=order_accepted(BUYER, tag).id,
        ),
        InvalidEvent,
        "payload.total.currency",
        "is not an ISO 4217 code",
    ),
    Case(
        "participant event by a participant",
        lambda tag: Event.create(
            key_for(SELLER),
            flow="information",
            type="participant.registered",
            actor=SELLER,
            payload={"participant_id": "sock-puppet", "legal_name": "Puppet", "roles": ["buyer"]},
            occurred_at=T0 + timedelta(days=1),
            event_id=order_accepted(SELLER, tag).id,
        ),
        InvalidEvent,
        "actor",
        "only the ledger operator",
    ),
    Case(
        "an event claiming the operator as actor",
        lambda tag: order_accepted("operator", tag, key=key_for(SELLER)),
        InvalidEvent,
        "actor",
        "only the ledger operator",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_refused_alone(keyed: Ledger, case: Case) -> None:
    size = keyed.size()
    event = case.build(f"alone-{case.name}")

    with pytest.raises(case.error) as caught:
        keyed.append(event)

    assert caught.value.field == case.field
    assert case.reason in caught.value.detail
    assert keyed.size() == size


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_refused_in_a_batch(keyed: Ledger, case: Case) -> None:
    size = keyed.size()
    fine = [order_accepted(BUYER, f"fine-{case.name}-{n}") for n in range(2)]
    late = order_accepted(BUYER, f"fine-{case.name}-late")
    events = [*fine, case.build(f"batch-{case.name}"), late]

    with pytest.raises(case.error) as caught:
        keyed.append_batch(events)

    assert caught.value.field == f"events[2].{case.field}"
    assert case.reason in caught.value.detail
    assert caught.value.detail.startswith("events[2]: ")
    assert keyed.size() == size


def test_the_operator_methods_refuse_what_would_make_the_registry_lie(keyed: Ledger) -> None:
    size = keyed.size()
    with pytest.raises(InvalidEvent, match="already registered") as caught:
        keyed.register_participant(
            SELLER, "again", ["seller"], None, rotated_key(SELLER).public_key, T0
        )
    assert caught.value.field == "events[0].payload.participant_id"
    with pytest.raises(InvalidEvent, match="unknown participant") as caught:
        keyed.add_key("nobody-02", rotated_key("nobody-02").public_key, T0)
    assert caught.value.field == "payload.participant_id"
    with pytest.raises(InvalidEvent, match="is already registered") as caught:
        keyed.add_key(BUYER, key_for(SELLER).public_key, T0)
    assert caught.value.field == "payload.key_id"
    with pytest.raises(InvalidEvent, match="has no key") as caught:
        keyed.revoke_key(BUYER, key_for(SELLER).key_id)
    assert caught.value.field == "payload.key_id"
    with pytest.raises(InvalidEvent, match="already revoked") as caught:
        keyed.revoke_key(REVOKED, key_for(REVOKED).key_id)
    assert caught.value.field == "payload.key_id"
    assert keyed.size() == size


def test_a_key_added_later_signs_from_its_valid_from(ledger: Ledger) -> None:
    """Validity is judged at the ledger's recording time, not at the time an event claims."""
    keyed = ledger  # a ledger of its own: this test moves the clock
    keyed.register_participant(BUYER, "Buyer", ["seller"], None, key_for(BUYER).public_key, T0)
    new = rotated_key(BUYER, 3)
    valid_from = NOW + timedelta(days=100)
    keyed.add_key(BUYER, new.public_key, valid_from)
    clock = keyed.clock
    assert isinstance(clock, FixedClock)
    with pytest.raises(UnknownKey, match="not valid before"):
        keyed.append(order_accepted(BUYER, "k3-early", key=new, at=NOW - timedelta(days=1)))
    clock.set(valid_from)
    try:
        entry = keyed.append(order_accepted(BUYER, "k3-ok", key=new, at=NOW - timedelta(days=1)))
    finally:
        clock.set(NOW)
    assert entry.event.key_id == new.key_id
    assert entry.recorded_at == valid_from


def test_a_valid_key_may_backfill_history_and_the_entry_says_so(keyed: Ledger) -> None:
    """A firm joining today brings last year's invoices: accepted, flagged as backfilled."""
    old = order_accepted(SELLER, "backfill", at=T0 - timedelta(days=300))
    recent = order_accepted(SELLER, "not-backfilled", at=NOW - timedelta(hours=1))

    entries = keyed.append_batch([old, recent])

    assert [e.backfilled for e in entries] == [True, False]
    assert entries[0].to_json()["backfilled"] is True
    assert keyed.entry(entries[0].seq).recorded_at == entries[0].recorded_at >= NOW


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"flow": "weather"}, "flow"),
        ({"payload": ["order-1"]}, "payload"),
        ({"payload": "order-1"}, "payload"),
        ({"type": "Order Accepted"}, "type"),
        ({"occurred_at": "2025-01-02 00:00:00"}, "occurred_at"),
        ({"id": "not-a-uuid"}, "id"),
        ({"signature": "zz"}, "signature"),
        ({"extra": 1}, "extra"),
    ],
)
def test_the_wire_parser_refuses_malformed_events(change: dict[str, Any], field: str) -> None:
    wire = order_accepted(SELLER, "wire").to_json()
    wire.update(change)
    with pytest.raises(InvalidEvent) as caught:
        Event.from_json(wire)
    assert caught.value.field == field


def test_a_ledger_refuses_to_open_with_another_key(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="not the key this ledger was created with"):
        open_ledger(ledger.engines.url, key=OTHER_LEDGER_KEY)
    with Ledger.open(ledger.engines.url, read_only=True) as reader:
        assert reader.public_key == ledger.public_key
        with pytest.raises(LedgerError, match="without its signing key"):
            reader.checkpoint()


def test_a_key_registered_between_validation_and_write_still_needs_a_valid_signature(
    ledger: Ledger,
) -> None:
    """The race of two writers, played in order: validate, register the key, write."""
    newcomer = "late-co"
    forged = Event.from_body(order_accepted(newcomer, "late").body(), bytes(64))
    prepared = ledger.prepare([forged])  # the key is unknown yet
    ledger.register_participant(
        newcomer, "Late Co", ["seller"], None, key_for(newcomer).public_key, T0
    )
    size = ledger.size()

    with pytest.raises(SignatureInvalid), ledger.unit_of_work() as uow:
        uow.append(prepared)
    assert ledger.size() == size
