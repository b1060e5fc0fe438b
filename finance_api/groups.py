"""Requests waiting at one moment answered by one call in a quick thread (a group read).

A proof on a database server is one round trip: a statement sent, parsed, run and
answered, most of its cost whatever it reads. Thirty-two clients asking proofs at once
each waited for a quick thread to hold their own round trip. Here a thread that comes free
takes every request queued meanwhile (up to :data:`MOST`) and answers them all from one
call, as a group commit does for writes; the first request of a quiet moment is sent at
once, so a lone request waits for nothing. Each request gets its own answer, or its own
error, exactly as it would alone.

A thread answers one group, then hands the next group back to the pool's queue, so other
quick work (a key's revocation read) takes its turn between groups.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from finance_api.offload import quick_pool

A = TypeVar("A")
R = TypeVar("R")
MOST = 64  # requests one call answers at most

_Waiting = list[tuple[A, "asyncio.Future[R]"]]


class Grouped(Generic[A, R]):
    """``await grouped.ask(item)``: ``work(items)`` answers the items waiting together,
    one answer (or exception, raised to its own asker) per item, in order."""

    def __init__(self, work: Callable[[Sequence[A]], Sequence[R | Exception]]) -> None:
        self._work = work
        self._waiting: list[tuple[A, asyncio.Future[R]]] = []
        self._running = 0  # groups being answered or queued in the pool
        self._lock = threading.Lock()

    async def ask(self, item: A) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        pool, threads = quick_pool()
        with self._lock:
            self._waiting.append((item, future))
            start = self._running < threads
            if start:
                self._running += 1
        if start:
            pool.submit(self._answer, loop)
        return await future

    def _answer(self, loop: asyncio.AbstractEventLoop) -> None:
        """In a quick thread: one group answered, then the next one queued if any waits."""
        with self._lock:
            group = self._waiting[:MOST]
            del self._waiting[:MOST]
        outcome: list[tuple[asyncio.Future[R], R | BaseException]]
        try:
            if group:
                answers = self._work([item for item, _ in group])
                outcome = [
                    (future, answer) for (_, future), answer in zip(group, answers, strict=True)
                ]
            else:
                outcome = []
        except BaseException as failed:  # every asker of the group gets it, as alone
            outcome = [(future, failed) for _, future in group]
        finally:
            with self._lock:
                more = bool(self._waiting)
                if not more:
                    self._running -= 1
            if more:
                quick_pool()[0].submit(self._answer, loop)
        if outcome:
            loop.call_soon_threadsafe(_settle, outcome)


def _settle(outcome: Sequence[tuple[asyncio.Future[R], R | BaseException]]) -> None:
    """On the loop: each asker's answer or error (an asker gone meanwhile is skipped)."""
    for future, answer in outcome:
        if future.done():
            continue
        if isinstance(answer, BaseException):
            future.set_exception(answer)
        else:
            future.set_result(answer)
