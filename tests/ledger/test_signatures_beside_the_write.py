"""A large batch is written while its signatures are still being checked, on both backends.

``Ledger.append_batch`` hands a batch of 64 events or more to the signature threads and
writes it meanwhile; it commits only once every signature verified. What a caller sees is
what it saw when the signatures were checked first: a bad signature is reported (with its
place in the batch) before a conflict or a projection's refusal found by the write, and a
refused batch writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from finance_api import demo_scenario
from ledger.core.clock import FixedClock
from ledger.core.errors import Conflict, NotFound, SignatureInvalid
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.storage.signatures import PARALLEL_FROM
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import LEDGER_KEY, NEVER, NOW, SELLER, order_accepted

SIZE = 80
assert SIZE >= PARALLEL_FROM  # large enough for the signature threads


@pytest.fixture
def threaded(ledger_url: str) -> Iterator[Ledger]:
    """A new ledger of the demo participants, opened with two signature threads."""
    with Ledger.open(
        ledger_url,
        ledger_key=LEDGER_KEY,
        clock=FixedClock(NOW),
        policy=NEVER,
        signature_threads=2,
    ) as ledger:
        demo_scenario.register(ledger)
        yield ledger


def _demo(count: int) -> list[Event]:
    return list(demo_scenario.events(orders=count // 7 + 2))[:count]


def _forged(event: Event) -> Event:
    return Event.from_body(event.body(), bytes(64))


def _nothing_written(ledger: Ledger, size: int, events: list[Event]) -> None:
    assert ledger.size() == size
    with Raw(ledger.engines.url) as raw:
        assert raw.head().tree_size == size
        assert {row.event_id for row in raw.entries()}.isdisjoint(e.id for e in events)
        assert len(raw.nodes()) == sum(size >> level for level in range(1, size.bit_length()))


def test_a_large_batch_with_one_bad_signature_writes_nothing(threaded: Ledger) -> None:
    size = threaded.size()
    events = _demo(SIZE)
    good = events[-1]
    events[-1] = _forged(good)

    with pytest.raises(SignatureInvalid) as caught:
        threaded.append_batch(events)

    assert caught.value.field == f"events[{SIZE - 1}].signature"
    _nothing_written(threaded, size, events)
    events[-1] = good
    assert [e.seq for e in threaded.append_batch(events)] == list(range(size, size + SIZE))


def _without_a_claim(events: list[Event]) -> tuple[list[Event], int]:
    """The batch less the first claim answered inside it, and where its answer now stands."""
    ids = {event.id: i for i, event in enumerate(events)}
    for i, event in enumerate(events):
        answered = ids.get(str(event.payload.get("claim_id", "")))
        if event.type == "claim.confirmed" and answered is not None:
            return events[:answered] + events[answered + 1 :], i - 1
    raise AssertionError("no claim answered inside the batch")


def test_a_bad_signature_is_reported_before_a_projections_refusal(threaded: Ledger) -> None:
    size = threaded.size()
    events, answer = _without_a_claim(_demo(SIZE + 1))
    assert len(events) == SIZE

    with pytest.raises(NotFound, match="no claim") as refused:
        threaded.append_batch(events)  # the write finds it: the claims projection refuses
    assert (refused.value.field, refused.value.seq) == ("payload.claim_id", size + answer)
    _nothing_written(threaded, size, events)

    events[SIZE - 2] = _forged(events[SIZE - 2])
    with pytest.raises(SignatureInvalid) as caught:
        threaded.append_batch(events)
    assert caught.value.field == f"events[{SIZE - 2}].signature"
    _nothing_written(threaded, size, events)


def test_a_bad_signature_is_reported_before_a_conflict(threaded: Ledger) -> None:
    threaded.append(order_accepted(SELLER, "beside"))
    size = threaded.size()
    other = order_accepted(SELLER, "beside", payload={"order_id": "elsewhere", "seller": SELLER})
    events = [other, *_demo(SIZE - 1)]

    with pytest.raises(Conflict) as conflict:
        threaded.append_batch(events)
    assert conflict.value.field == "events[0].id"
    _nothing_written(threaded, size, events[1:])

    events[40] = _forged(events[40])
    with pytest.raises(SignatureInvalid) as caught:
        threaded.append_batch(events)
    assert caught.value.field == "events[40].signature"
    assert caught.value.__suppress_context__  # raised in place of the conflict
    _nothing_written(threaded, size, events[1:])
