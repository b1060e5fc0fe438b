"""A score being served to another party: what its request hands the group commit, and
waits on until the writer (:mod:`finance_api.routers.score_commit`) answers it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from contextlib import suppress
from datetime import datetime
from typing import Any, NamedTuple

from ledger.core.access import Caller
from ledger.core.events import Draft
from ledger.log import Ledger

Record = tuple[int, str]  # the credit.score_issued entry's seq, and its score id


class Shown(NamedTuple):
    """One score shown to a reader: what its access-log row and its record need.

    ``identity`` is what makes two scores shown the same (every field of the record but
    its score id); ``record`` is the entry already recording it, when the request knew
    one, else the request's drafts hold the (unsigned) event that would record it."""

    reader: str
    subject: str
    tree_size: int
    at: datetime
    identity: Hashable
    record: Record | None


class Pending:
    """One request's scores shown, waiting for a group commit.

    ``shown`` holds one per score, in order; ``drafts`` the records of those with no known
    record, unsigned, in the same order (empty: every score shown has one). The writer
    signs those it records, under the consent it finds in force in the unit of work that
    records them. ``future`` gets each score's record (seq, score id): None where that
    consent had ended (or never was) by then.
    """

    __slots__ = ("_lock", "_waiters", "drafts", "future", "ledger", "shown")

    def __init__(self, ledger: Ledger, drafts: list[Draft], shown: list[Shown]) -> None:
        self.ledger = ledger
        self.drafts = drafts
        self.shown = shown
        self.future: Future[list[Record | None]] = Future()
        # running: a request awaiting it and cancelled (its client gone) cannot cancel it,
        # so the writer always answers every future of its batch
        self.future.set_running_or_notify_cancel()
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]]] = []

    def answered(self) -> asyncio.Future[list[Record | None]]:
        """:attr:`future`'s answer on the running loop. The writer wakes each loop once per
        batch (:func:`wake`) instead of once per request, as wrapping each future would:
        that wake-up was an eighth of the writer's time."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[list[Record | None]] = loop.create_future()
        with self._lock:
            if not self.future.done():
                self._waiters.append((loop, waiter))
                return waiter
        _settle([(waiter, self.future)])
        return waiter


def wake(batch: list[Pending]) -> None:
    """Hand each loop the answers its requests of ``batch`` await, in one call."""
    loops: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Future[Any]]]] = {}
    for item in batch:
        with item._lock:
            assert item.future.done()  # answered before its waiters are woken
            waiters, item._waiters = item._waiters, []
        for loop, waiter in waiters:
            loops.setdefault(loop, []).append((waiter, item.future))
    for loop, pairs in loops.items():
        with suppress(RuntimeError):  # a loop closed: nobody awaits its requests any more
            loop.call_soon_threadsafe(_settle, pairs)


def _settle(pairs: list[tuple[asyncio.Future[Any], Future[Any]]]) -> None:
    """On the loop: each waiter gets its future's result or error (a waiter cancelled
    meanwhile, its client gone, is left)."""
    for waiter, future in pairs:
        if waiter.cancelled():
            continue
        error = future.exception()
        if error is None:
            waiter.set_result(future.result())
        else:
            waiter.set_exception(error)


class Serving:
    """A serve whose scores to another party wait for their group commit: wait on
    ``answer.future`` in a thread, or await ``answer.answered()`` on the event loop (no
    thread is held meanwhile), then :meth:`finish`."""

    __slots__ = ("answer", "caller", "forget", "results", "subjects")

    def __init__(
        self,
        caller: Caller,
        subjects: Sequence[str],
        results: list[dict[str, Any]],
        answer: Pending | None,
        forget: Callable[[str, set[str]], None],
    ) -> None:
        self.forget = forget  # (grantee, subjects): consents no longer to be remembered
        self.caller = caller
        self.subjects = subjects
        self.results = results
        self.answer = answer

    def finish(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(scores shown, subjects answered as not found); raises the write's error. A
        score whose consent had ended by the write is not shown (nothing was recorded)."""
        results = self.results
        if self.answer is not None:
            recorded = [r for r in results if r["participant"] != self.caller.participant_id]
            ended = set()
            for r, record in zip(recorded, self.answer.future.result(), strict=True):
                if record is None:
                    ended.add(r["participant"])
                else:
                    r["recorded_seq"], r["score_id"] = record
            if ended:
                self.forget(self.caller.participant_id, ended)
                results = [r for r in results if r["participant"] not in ended]
        shown = {r["participant"] for r in results}
        return results, [s for s in self.subjects if s not in shown]
