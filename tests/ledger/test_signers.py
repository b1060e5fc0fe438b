"""A writer holding the signing keys proves signatures by making them again, on both backends.

``Ledger.append_batch(events, signers=...)`` skips the verification of a signature equal to
the one the held key makes, and only when that key is the one the ledger knows for the
event's key id: every other signature is verified, so what is refused, and how, does not
change; the entries written are those written without ``signers``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from finance_api import demo_scenario
from ledger.core.canonical import canonicalize
from ledger.core.clock import FixedClock
from ledger.core.errors import SignatureInvalid
from ledger.core.events import Event
from ledger.core.keys import SigningKey, verify_signature
from ledger.log import Ledger
from ledger.storage import signatures
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import LEDGER_KEY, NEVER, NOW
from tests.ledger.stores import Store

SIZE = 80
assert SIZE >= signatures.PARALLEL_FROM  # large enough for the signature threads


@pytest.fixture
def threaded(ledger_url: str) -> Iterator[Ledger]:
    """A new ledger of the demo participants, opened with two signature threads."""
    with Ledger.open(
        ledger_url, ledger_key=LEDGER_KEY, clock=FixedClock(NOW), policy=NEVER
    ) as ledger:
        demo_scenario.register(ledger)
        yield ledger


def _demo(count: int) -> list[Event]:
    return list(demo_scenario.events(orders=count // 7 + 2))[:count]


def _signers(events: list[Event]) -> dict[str, SigningKey]:
    keys = (demo_scenario.key_for(event.actor) for event in events)
    return {key.key_id: key for key in keys}


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The messages whose signatures were verified (not proved by re-signing)."""
    seen: list[bytes] = []
    real = verify_signature

    def counting(public_key: bytes, message: bytes, signature: bytes) -> None:
        seen.append(message)
        real(public_key, message, signature)

    monkeypatch.setattr(signatures, "verify_signature", counting)
    return seen


@pytest.mark.parametrize("count", [SIZE, 3])  # on the threads, and on the calling thread
def test_held_keys_prove_their_signatures_without_verifying(
    threaded: Ledger, verified: list[bytes], count: int
) -> None:
    events = _demo(count)
    size = threaded.size()
    entries = threaded.append_batch(events, signers=_signers(events))
    assert [e.seq for e in entries] == list(range(size, size + count))
    assert verified == []


def test_the_entries_are_those_written_without_signers(store: Store) -> None:
    rows = []
    for signed in (True, False):
        url = store.new_url()
        with Ledger.open(url, ledger_key=LEDGER_KEY, clock=FixedClock(NOW), policy=NEVER) as led:
            demo_scenario.register(led)
            events = _demo(SIZE)
            led.append_batch(events, signers=_signers(events) if signed else None)
            with Raw(url) as raw:
                rows.append([(r.seq, r.canonical, r.signature, r.leaf_hash) for r in raw.entries()])
        store.drop(url)
    assert rows[0] == rows[1]
    assert len(rows[0]) > SIZE


def test_a_bad_signature_is_refused_as_without_signers(
    threaded: Ledger, verified: list[bytes]
) -> None:
    events = _demo(SIZE)
    events[50] = Event.from_body(events[50].body(), bytes(64))
    size = threaded.size()
    with pytest.raises(SignatureInvalid) as caught:
        threaded.append_batch(events, signers=_signers(events))
    assert caught.value.field == "events[50].signature"
    assert verified == [events[50].canonical]  # the only one not proved by re-signing
    assert threaded.size() == size


def test_a_held_key_that_is_not_the_registered_one_proves_nothing(
    threaded: Ledger, verified: list[bytes]
) -> None:
    events = _demo(SIZE)
    impostor = SigningKey(bytes(range(32)))
    actor = events[10].actor
    # the held "key" for the actor's key id is another key: its signatures would differ,
    # and the actor's real ones are verified against the registered key
    signers = _signers(events) | {demo_scenario.key_for(actor).key_id: impostor}
    size = threaded.size()
    threaded.append_batch(events, signers=signers)
    assert threaded.size() == size + SIZE
    assert sorted(verified) == sorted(e.canonical for e in events if e.actor == actor)

    # signed by the impostor under the actor's key id: re-signing would match, so only the
    # comparison of the held key with the registered one stops it
    body = {**events[10].body(), "id": "00000000-0000-4000-8000-000000000001"}
    forged = Event.from_body(body, impostor.sign(canonicalize(body)))
    with pytest.raises(SignatureInvalid):
        threaded.append_batch([forged], signers=signers)
    assert threaded.size() == size + SIZE
