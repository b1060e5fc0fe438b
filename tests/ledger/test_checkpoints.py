"""Signed checkpoints: every N entries, every T seconds, and on demand, on both backends.

Each checkpoint must verify with the ledger's key under its origin and carry the root the
oracle computes over the stored leaves at its size.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta

import pytest

from ledger.core.checkpoint import NoteVerifier, SignedCheckpoint
from ledger.core.clock import FixedClock
from ledger.core.errors import NotFound
from ledger.core.merkle.verify import verify_consistency
from ledger.log import CheckpointPolicy, Ledger
from tests.ledger import oracle
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import BUYER, NOW, SELLER, accepted_batch, open_ledger, order_accepted


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def opened(url: str, clock: FixedClock, **policy: float) -> Ledger:
    settings = {"every_entries": 10**9, "every_seconds": 1e12, **policy}
    return open_ledger(url, clock=clock, policy=CheckpointPolicy(**settings))  # type: ignore[arg-type]


def checkpoints_of(ledger: Ledger) -> dict[int, SignedCheckpoint]:
    """Every stored checkpoint, verified against the ledger's key and the oracle's roots."""
    verifier = NoteVerifier.for_key(ledger.origin, ledger.public_key)
    with Raw(ledger.engines.url) as raw:
        notes = raw.checkpoint_notes()
        leaves = [
            oracle.leaf_of(r.format, r.canonical, r.signature, r.recorded_at) for r in raw.entries()
        ]
    out = {}
    for size, note in notes.items():
        signed = SignedCheckpoint.parse(note)
        checkpoint = signed.verify(verifier, origin=ledger.origin)
        assert checkpoint.tree_size == size
        assert checkpoint.root_hash == oracle.mth(leaves[:size])
        assert signed.note == note  # the stored text round-trips byte for byte
        out[size] = signed
    return out


def test_every_n_single_appends(registered_url: str, clock: FixedClock) -> None:
    with opened(registered_url, clock, every_entries=8) as ledger:
        start = ledger.size()
        for n in range(25):
            ledger.append(order_accepted(SELLER, f"n-{n}"))
        sizes = sorted(checkpoints_of(ledger))
    assert sizes == [start + 1, start + 9, start + 17, start + 25]


def test_a_batch_gets_one_checkpoint_at_its_end(registered_url: str, clock: FixedClock) -> None:
    with opened(registered_url, clock, every_entries=10) as ledger:
        start = ledger.size()
        ledger.append_batch(accepted_batch(SELLER, "big", 25))
        ledger.append_batch(accepted_batch(SELLER, "small", 3))
        assert sorted(checkpoints_of(ledger)) == [start + 25]
        ledger.append_batch(accepted_batch(SELLER, "more", 7))
        assert sorted(checkpoints_of(ledger)) == [start + 25, start + 35]


def test_every_t_seconds(registered_url: str, clock: FixedClock) -> None:
    with opened(registered_url, clock, every_seconds=60) as ledger:
        ledger.append(order_accepted(SELLER, "t-0"))
        assert checkpoints_of(ledger) == {}
        clock.advance(timedelta(seconds=60))
        entry = ledger.append(order_accepted(SELLER, "t-1"))
        ledger.append(order_accepted(SELLER, "t-2"))
        cut = checkpoints_of(ledger)
        assert sorted(cut) == [entry.seq + 1]
        assert cut[entry.seq + 1].checkpoint.timestamp == int(clock.now().timestamp())
        clock.advance(timedelta(seconds=59))
        ledger.append(order_accepted(SELLER, "t-3"))
        assert len(checkpoints_of(ledger)) == 1


def test_on_demand(registered_url: str, clock: FixedClock) -> None:
    with opened(registered_url, clock) as ledger:
        with pytest.raises(NotFound):
            ledger.latest_checkpoint()
        first = ledger.checkpoint()
        assert first.checkpoint.tree_size == ledger.size()
        assert first.checkpoint.origin == ledger.origin
        clock.advance(timedelta(hours=1))
        assert ledger.checkpoint() == first  # nothing new: the same signed note
        ledger.append(order_accepted(BUYER, "od"))
        second = ledger.checkpoint()
        assert second.checkpoint.tree_size == first.checkpoint.tree_size + 1
        assert second.checkpoint.timestamp == first.checkpoint.timestamp + 3600
        assert ledger.latest_checkpoint() == second
        assert ledger.latest_checkpoint_size() == second.checkpoint.tree_size
        stored = checkpoints_of(ledger)
    assert stored == {first.checkpoint.tree_size: first, second.checkpoint.tree_size: second}


def test_the_note_is_a_c2sp_checkpoint(registered_url: str, clock: FixedClock) -> None:
    with opened(registered_url, clock) as ledger:
        note = ledger.checkpoint().note
        origin, size = ledger.origin, ledger.size()
    body, signatures = note.split("\n\n")
    lines = body.split("\n")
    assert lines[:2] == [origin, str(size)]
    assert lines[3] == f"timestamp {int(NOW.timestamp())}"
    assert signatures.startswith(f"— {origin} ")
    assert signatures.endswith("\n")
    assert signatures.count("\n") == 1


def test_a_reader_never_cuts_checkpoints(registered_url: str, clock: FixedClock) -> None:
    with opened(registered_url, clock, every_entries=1) as ledger:
        ledger.append(order_accepted(SELLER, "r-0"))
        size = ledger.size()
    with Ledger.open(registered_url, read_only=True) as reader:
        assert reader.maybe_checkpoint() is None
        assert reader.latest_checkpoint_size() == size


@pytest.fixture
def many(registered_url: str, clock: FixedClock) -> Iterator[Ledger]:
    with opened(registered_url, clock, every_entries=16) as ledger:
        yield ledger


def test_checkpoints_and_proofs_agree_as_the_ledger_grows(many: Ledger) -> None:
    for round_ in range(6):
        many.append_batch(accepted_batch(BUYER, f"grow-{round_}", 9))
    cut = checkpoints_of(many)
    sizes = sorted(cut)
    assert len(sizes) >= 3
    for first, second in itertools.pairwise(sizes):
        proof = many.consistency_proof(first, second)
        verify_consistency(
            first,
            second,
            cut[first].checkpoint.root_hash,
            cut[second].checkpoint.root_hash,
            proof.proof,
        )


def test_t_seconds_count_from_the_last_checkpoint_of_any_writer(registered_url: str) -> None:
    """Two writers (two API workers): one's checkpoint resets the other's clock too."""
    clock_a, clock_b = FixedClock(NOW), FixedClock(NOW)
    with (
        opened(registered_url, clock_a, every_seconds=60) as a,
        opened(registered_url, clock_b, every_seconds=60) as b,
    ):
        a.append(order_accepted(SELLER, "two-0"))
        for clock in (clock_a, clock_b):
            clock.advance(timedelta(seconds=61))
        a.append(order_accepted(SELLER, "two-1"))  # cuts one
        assert len(checkpoints_of(a)) == 1
        for clock in (clock_a, clock_b):
            clock.advance(timedelta(seconds=2))
        b.append(order_accepted(SELLER, "two-2"))  # 2 s after a's: nothing to cut
        assert len(checkpoints_of(b)) == 1


def test_t_seconds_survive_a_restart(registered_url: str, clock: FixedClock) -> None:
    """A writer restarted more often than every T seconds still cuts checkpoints."""
    for n in range(3):
        with opened(registered_url, clock, every_seconds=60) as ledger:
            ledger.append(order_accepted(SELLER, f"restart-{n}"))
        clock.advance(timedelta(seconds=40))
    # 80 s since the ledger's last entries were recorded and no checkpoint: the last
    # append (at 80 s) must have cut one
    with Ledger.open(registered_url, read_only=True) as reader:
        assert reader.latest_checkpoint_size() == reader.size()
