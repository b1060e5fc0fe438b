"""The two-core feature pass: the features of one fold, whatever becomes of the worker.

The pass over a large tree folds half the types in a worker process and absorbs its fold
(:mod:`credit.features.halves`). These tests force the split on the small simulated world
(its tree is below the size that splits) and pin that it gives the digests of the one-fold
pass on both backends; that a worker that fails, dies or is busy leaves the features as
they are; and, fold by fold, that an answer in one half finds the claim followed in the
other exactly when one fold would have counted it.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest

from credit.features import compute, halves
from credit.features.fold import TYPES, Fold
from credit.features.rows import fetch
from credit.features.scan import as_of_point
from ledger.core.events import format_timestamp
from tests.credit.ledgers import SimLedger
from tests.credit.test_feature_fold import AS_OF, BEFORE, _entry, digest


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every full pass split, however small its tree."""
    monkeypatch.setattr(halves, "MIN_TREE", 0)


def test_the_halves_cover_the_types_and_every_answer_is_in_the_second() -> None:
    assert halves.FIRST | halves.SECOND == TYPES
    assert not halves.FIRST & halves.SECOND
    assert {"claim.confirmed", "claim.rejected"} <= halves.SECOND
    assert {"order.placed", "shipment.delivered", "goods.received"} <= halves.FIRST


def test_split_passes_give_the_one_fold_digests(sim_ledger: SimLedger, split: None) -> None:
    with sim_ledger.open() as ledger:
        assert halves.worth_it(ledger.url, ledger.size())
        for share, (full, _) in BEFORE.items():
            table = compute(ledger, int(ledger.size() * share))
            assert digest(table) == full, share
            assert table.entries > 0


def test_a_worker_that_fails_leaves_the_features_as_they_are(
    sim_ledger: SimLedger, split: None, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker cannot open the database it is sent: it says so, and the caller folds
    the half itself."""
    with sim_ledger.open() as ledger, ledger.reading() as connection:
        size = ledger.size()
        at = as_of_point(ledger, connection, size).at
        alone = Fold(at).feed_all(fetch(connection, size))
        fold = halves.fold_tree("sqlite:////nonexistent/ledger.db", connection, size, at)
        assert fold.vectors() == alone.vectors()
        assert fold.entries == alone.entries
    assert "the feature pass's worker failed (its half folded here): NotFound" in caplog.text


def test_a_dead_worker_is_replaced_and_the_features_stay(
    sim_ledger: SimLedger, split: None
) -> None:
    with sim_ledger.open() as ledger:
        expected = digest(compute(ledger))
        # a worker that ends at once: the pass finds it gone, or loses its answer
        halves._stop()
        halves._worker = subprocess.Popen(
            [sys.executable, "-c", "pass"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        halves._worker.wait()
        assert digest(compute(ledger)) == expected
        halves._stop()  # the worker started in its place
        dead = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.stdin.buffer.read(1)"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        halves._worker = dead  # reads the start of the request, then exits unanswered
        assert digest(compute(ledger)) == expected
        assert dead.poll() is not None
        assert digest(compute(ledger)) == expected
        assert halves._worker is not None  # a new one, running
        assert halves._worker.poll() is None


def test_a_pass_that_fails_here_leaves_no_answer_for_the_next(
    sim_ledger: SimLedger, split: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller's half raises while the worker folds the other: the next pass, of another
    tree, gets its own answer, not the one left from the failed pass."""
    real = halves._fold

    def failing(connection: Any, size: int, at: Any, types: Any, defer: bool = False) -> Fold:
        if types is halves.FIRST:
            raise RuntimeError("the caller's half failed")
        return real(connection, size, at, types, defer)

    with sim_ledger.open() as ledger:
        monkeypatch.setattr(halves, "_fold", failing)
        with pytest.raises(RuntimeError, match="the caller's half failed"):
            compute(ledger)
        monkeypatch.setattr(halves, "_fold", real)
        share, (full, _) = 0.6, BEFORE[0.6]
        assert digest(compute(ledger, int(ledger.size() * share))) == full


def test_a_pass_that_finds_the_worker_busy_folds_in_one_process(
    sim_ledger: SimLedger, split: None
) -> None:
    with sim_ledger.open() as ledger:
        expected = digest(compute(ledger))
        with halves._lock:  # another thread's pass holds the worker
            assert digest(compute(ledger)) == expected


def test_small_trees_few_participants_and_memory_stay_in_one_process() -> None:
    assert not halves.worth_it("sqlite:////tmp/x.db", halves.MIN_TREE - 1)
    assert halves.worth_it("sqlite:////tmp/x.db", halves.MIN_TREE)
    assert not halves.worth_it("sqlite://", halves.MIN_TREE)
    assert not halves.worth_it("sqlite:///:memory:", halves.MIN_TREE)
    assert halves.worth_it("postgresql+psycopg://h/db", halves.MIN_TREE)


def _halves(entries: list[tuple[str, bytes]]) -> Fold:
    first = Fold(AS_OF).feed_all(e for e in entries if e[0] in halves.FIRST)
    second = Fold(AS_OF, defer_answers=True).feed_all(e for e in entries if e[0] in halves.SECOND)
    return first.absorb(second)


Answer = tuple[str, dict[str, object]]  # its type, the payload's keys beside the claim's


def _delivery_and_answers(answers: list[Answer]) -> list[tuple[str, bytes]]:
    """A mature delivery (a claim of seller-1's, followed by the first half), answered."""
    old = format_timestamp(AS_OF - timedelta(days=30))
    new = format_timestamp(AS_OF - timedelta(days=5))
    etype, body = _entry(1, "shipment.delivered", "carrier", old, {"shipment_id": "s1"})
    delivered = (etype, body.replace(b'"subjects":[]', b'"subjects":["seller-1"]'))
    claim = {"claim_id": "00000000-0000-4000-8000-000000000001", "party": "buyer-1"}
    return [delivered] + [
        _entry(10 + n, kind, "buyer-1", new, claim | extra)
        for n, (kind, extra) in enumerate(answers)
    ]


CONFIRMED, REJECTED, ODD = (
    ("claim.confirmed", {}),
    ("claim.rejected", {}),
    ("claim.confirmed", {"about": 1}),
)


@pytest.mark.parametrize(
    "answers",
    [
        [],  # unanswered
        [CONFIRMED],  # counted, its actor known
        [REJECTED],
        [ODD],  # the odd shape
        [REJECTED, CONFIRMED],  # a second answer counts no more
        [ODD, REJECTED],
    ],
)
def test_an_answer_in_one_half_finds_the_claim_followed_in_the_other(
    answers: list[Answer],
) -> None:
    entries = _delivery_and_answers(answers)
    one = Fold(AS_OF).feed_all(entries)
    two = _halves(entries)
    assert two.vectors(["seller-1", "buyer-1"]) == one.vectors(["seller-1", "buyer-1"])
    assert set(two.parties) == set(one.parties)
    assert set(two.claims) == set(one.claims)
    assert two.entries == one.entries == len(entries)
    seller = two.parties["seller-1"].c
    assert seller["deliv_mature"] == 1
    assert seller["deliv_confirmed"] + seller["deliv_rejected"] == (1 if answers else 0)
    if answers:
        assert seller[f"deliv_{answers[0][0].removeprefix('claim.')}"] == 1


def test_an_answer_to_a_claim_no_half_follows_stays_unknown_unless_odd_shaped() -> None:
    claim = "33333333-3333-4333-8333-333333333333"
    when = format_timestamp(AS_OF)
    for payload, known in (
        ({"claim_id": claim, "party": "b"}, False),
        ({"about": 1, "claim_id": claim, "party": "b"}, True),
    ):
        entries = [_entry(1, "claim.confirmed", "b", when, payload)]
        assert ("b" in _halves(entries).parties) is known
        assert ("b" in Fold(AS_OF).feed_all(entries).parties) is known


def test_a_fold_that_absorbed_another_goes_on_as_one_fold() -> None:
    """A claim the other fold followed and nobody answered yet is answered after the
    absorb: the answer counts for the participant, as in one fold of all the entries."""
    old = format_timestamp(AS_OF - timedelta(days=30))
    new = format_timestamp(AS_OF - timedelta(days=2))
    usd = {"amount_minor": 100, "currency": "USD"}
    placed = {"order_id": "o1", "seller": "seller-1", "buyer": "buyer-1", "total": usd}
    before = [
        _entry(1, "order.placed", "buyer-1", old, placed),  # seller-1 in the first half
        _entry(2, "invoice.issued", "seller-1", old, {"invoice_id": "i1"}),  # and the second
    ]
    invoice = "00000000-0000-4000-8000-000000000002"
    answer = _entry(3, "claim.confirmed", "buyer-1", new, {"claim_id": invoice, "party": "b"})
    two = _halves(before)
    two.feed(*answer)
    one = Fold(AS_OF).feed_all([*before, answer])
    assert two.parties["seller-1"].c["inv_confirmed"] == 1
    assert two.vectors(["seller-1"]) == one.vectors(["seller-1"])
