"""The shared pause of the cyclic collector: off inside, restored after, whoever nests."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from ledger.core.collector import collection_paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_after_even_on_an_error() -> None:
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(KeyError, match="inside"), collection_paused():
        raise KeyError("inside")
    assert gc.isenabled()


def test_a_nested_pause_leaves_it_off_until_the_outer_one_ends() -> None:
    with collection_paused():
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_disabled_beforehand_stays_disabled() -> None:
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_pauses_on_two_threads_turn_it_back_on_once_both_end() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collection_paused():
            first_in.set()
            second_in.wait()
        first_out.set()

    def second() -> None:
        first_in.wait()
        with collection_paused():
            second_in.set()
            first_out.wait()
            seen.append(gc.isenabled())  # the first has left: still off for this one
        seen.append(gc.isenabled())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert seen == [False, True]


def test_pauses_that_overlap_without_end_still_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream of overlapping pauses never lets the count fall to zero: a caller leaving a
    pause older than LONGEST collects the cyclic garbage made meanwhile."""
    from ledger.core import collector

    monkeypatch.setattr(collector, "LONGEST", 0.0)

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    with collection_paused():  # the stream's first capture, still running
        with collection_paused():  # another, which ends while the first goes on
            gc.collect()
            cycle = Cycle()
            ref = weakref.ref(cycle)
            del cycle
            assert ref() is not None  # cyclic garbage: only a collection frees it
        assert ref() is None  # collected as the second left
        assert not gc.isenabled()  # still paused for the first
    assert gc.isenabled()


def test_a_short_overlap_does_not_collect(monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.core import collector

    monkeypatch.setattr(collector, "LONGEST", 3600.0)
    collections: list[int] = []
    monkeypatch.setattr(collector.gc, "collect", lambda *a: collections.append(1) or 0)
    with collection_paused(), collection_paused():
        pass
    assert collections == []
