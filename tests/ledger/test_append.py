"""Appending on both backends: single and batch, idempotence, conflicts, atomic batches.

Every entry's leaf and chain hashes are recomputed here from DESIGN.md's formulas with
:mod:`tests.ledger.oracle`, not with the ledger's own hashing code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ledger.core.errors import Conflict, InvalidEvent, SignatureInvalid, UnknownKey
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage.models import Participant
from tests.ledger import oracle
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import (
    BUYER,
    NOW,
    SELLER,
    T0,
    Base,
    accepted_batch,
    key_for,
    order_accepted,
)


def test_a_new_ledger_holds_the_operator_registration(ledger: Ledger) -> None:
    assert ledger.size() == 2
    first, second = ledger.entry(0), ledger.entry(1)
    assert (first.event.type, second.event.type) == (
        "participant.registered",
        "participant.key_added",
    )
    assert first.event.actor == second.event.actor == "operator"
    assert second.event.payload["public_key"] == ledger.public_key.hex()


def test_append_one_event_assigns_the_next_seq_and_hashes(registered: Ledger) -> None:
    size = registered.size()
    previous = registered.entry(size - 1)
    event = order_accepted(SELLER, "single")

    entry = registered.append(event)

    assert entry.seq == size
    assert registered.size() == size + 1
    assert entry.event == event
    assert entry.leaf_hash == oracle.leaf(event.canonical, event.signature, NOW)
    assert entry.chain_hash == oracle.chain(previous.chain_hash, entry.leaf_hash)
    assert entry.recorded_at == NOW
    assert registered.entry(size) == entry.entry
    assert not entry.replayed


def test_append_batch_gives_consecutive_seqs(registered: Ledger) -> None:
    size = registered.size()
    events = accepted_batch(BUYER, "batch", 25)

    entries = registered.append_batch(events)

    assert [entry.seq for entry in entries] == list(range(size, size + 25))
    assert [entry.event.id for entry in entries] == [event.id for event in events]
    assert registered.size() == size + 25
    assert [registered.entry(entry.seq) for entry in entries] == [e.entry for e in entries]
    assert not any(entry.replayed for entry in entries)


def test_stored_hashes_follow_the_definitions(base: Base) -> None:
    """Every row of the base ledger: leaf and chain hashes recomputed from scratch."""
    with Raw(base.url) as raw:
        rows, head = raw.entries(), raw.head()
        nodes = raw.nodes()
    assert [row.seq for row in rows] == list(range(base.size))
    leaves = [oracle.leaf_of(r.format, r.canonical, r.signature, r.recorded_at) for r in rows]
    assert [row.leaf_hash for row in rows] == leaves
    assert [row.chain_hash for row in rows] == oracle.chains(leaves)
    assert (head.tree_size, head.chain_hash) == (base.size, rows[-1].chain_hash)
    expected = {(level, index): digest for level, index, digest in oracle.complete_subtrees(leaves)}
    assert nodes == expected


def test_resubmitting_the_same_event_returns_the_existing_entry(registered: Ledger) -> None:
    event = order_accepted(SELLER, "again")
    first = registered.append(event)
    size = registered.size()

    again, batch = registered.append(event), registered.append_batch([event])

    assert not first.replayed
    assert again.replayed
    assert again.entry == first.entry
    assert batch[0].replayed
    assert batch[0].entry == first.entry
    assert registered.size() == size


def test_a_batch_mixing_old_and_new_events_appends_only_the_new(registered: Ledger) -> None:
    old = registered.append_batch(accepted_batch(SELLER, "mix-old", 3))
    size = registered.size()
    new = accepted_batch(SELLER, "mix-new", 2)

    entries = registered.append_batch([new[0], *[entry.event for entry in old], new[1]])

    assert [e.entry for e in entries[1:4]] == [e.entry for e in old]
    assert [e.replayed for e in entries] == [False, True, True, True, False]
    assert [entries[0].seq, entries[4].seq] == [size, size + 1]
    assert registered.size() == size + 2


def test_the_same_event_twice_in_one_batch_is_written_once(registered: Ledger) -> None:
    event = order_accepted(SELLER, "twice")
    size = registered.size()

    entries = registered.append_batch([event, event])

    assert entries[0].entry == entries[1].entry
    assert [e.replayed for e in entries] == [False, True]
    assert entries[0].seq == size
    assert registered.size() == size + 1


def test_the_same_id_with_other_content_is_a_conflict(registered: Ledger) -> None:
    registered.append(order_accepted(SELLER, "conflict"))
    size = registered.size()
    other = order_accepted(
        SELLER, "conflict", payload={"order_id": "order-other", "seller": SELLER}
    )

    with pytest.raises(Conflict) as caught:
        registered.append(other)
    assert caught.value.field == "id"
    assert caught.value.status == 409

    with pytest.raises(Conflict) as caught:
        registered.append_batch([order_accepted(SELLER, "fine"), other])
    assert caught.value.field == "events[1].id"
    assert registered.size() == size


def test_the_same_id_re_signed_by_another_actor_is_a_conflict(registered: Ledger) -> None:
    registered.append(order_accepted(SELLER, "who"))
    with pytest.raises(Conflict):
        registered.append(order_accepted(BUYER, "who"))


def test_same_id_twice_in_one_batch_with_other_content_is_a_conflict(registered: Ledger) -> None:
    size = registered.size()
    one = order_accepted(SELLER, "dup")
    two = order_accepted(SELLER, "dup", at=T0 + timedelta(days=2))

    with pytest.raises(Conflict) as caught:
        registered.append_batch([one, two])

    assert caught.value.field == "events[1].id"
    assert registered.size() == size


@pytest.mark.parametrize("bad_at", [0, 17, 39])
def test_one_bad_event_writes_nothing_of_its_batch(registered: Ledger, bad_at: int) -> None:
    size = registered.size()
    head = registered.entry(size - 1)
    events = accepted_batch(BUYER, f"atomic-{bad_at}", 40)
    good = events[bad_at]
    events[bad_at] = Event.from_body(good.body(), bytes(64))  # a signature that fails

    with pytest.raises(SignatureInvalid) as caught:
        registered.append_batch(events)

    assert caught.value.field == f"events[{bad_at}].signature"
    assert registered.size() == size
    assert registered.entry(size - 1) == head
    with Raw(registered.engines.url) as raw:
        stored_ids = {row.event_id for row in raw.entries()}
        assert len(raw.nodes()) == sum(size >> level for level in range(1, size.bit_length()))
        assert raw.head().tree_size == size
    assert stored_ids.isdisjoint(event.id for event in events)
    # the good events still go in afterwards, at the same places
    events[bad_at] = good
    entries = registered.append_batch(events)
    assert [entry.seq for entry in entries] == list(range(size, size + 40))


def test_a_refused_registration_leaves_no_participant_behind(ledger: Ledger) -> None:
    """Registering is a batch of two: a bad key in the second undoes the first."""
    ledger.register_participant(BUYER, "Buyer", ["buyer"], "DE", key_for(BUYER).public_key, T0)
    size = ledger.size()

    with pytest.raises(InvalidEvent, match="is already registered") as caught:
        ledger.register_participant(
            SELLER, "Seller", ["seller"], "CN", key_for(BUYER).public_key, T0
        )

    assert caught.value.field == "events[1].payload.key_id"
    assert ledger.size() == size
    with Raw(ledger.engines.url) as raw, raw.engine.connect() as connection:
        people = set(connection.execute(select(Participant.id)).scalars())
    assert people == {"operator", BUYER}
    with pytest.raises(UnknownKey) as unknown:
        ledger.append(order_accepted(SELLER, "after"))
    assert unknown.value.field == "actor"
