"""Requests awaiting their group commit on the event loop: woken once per batch.

The writer answers each request's future, then hands each loop all the answers its
requests await in one call (``wake``); each awaiting request gets its own answer or its
own error, a request whose client went away (cancelled) is left without disturbing the
others, and a request that asks after its answer came gets it at once.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, cast

import pytest

from finance_api.routers.score_serving import Pending, wake
from ledger.core.errors import LedgerError
from ledger.log import Ledger


def _pending() -> Pending:
    return Pending(cast(Ledger, None), [], [])  # the writer's part is not exercised here


def _answer_in_a_thread(batch: list[Pending], answers: list[Any]) -> None:
    def writer() -> None:
        for item, answer in zip(batch, answers, strict=True):
            if isinstance(answer, BaseException):
                item.future.set_exception(answer)
            else:
                item.future.set_result(answer)
        wake(batch)

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join()


def test_a_batch_wakes_its_loop_once_and_each_request_gets_its_own_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        calls: list[int] = []
        real = loop.call_soon_threadsafe

        def counting(callback: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            return real(callback, *args, **kwargs)

        monkeypatch.setattr(loop, "call_soon_threadsafe", counting)
        batch = [_pending() for _ in range(3)]
        waiters = [item.answered() for item in batch]
        refused = LedgerError("the write failed", field="x")
        _answer_in_a_thread(batch, [[(1, "score-a")], [None], refused])
        got = await asyncio.gather(*waiters, return_exceptions=True)
        assert len(calls) == 1  # one wake for the three
        return got

    got = asyncio.run(main())
    assert got[:2] == [[(1, "score-a")], [None]]
    assert isinstance(got[2], LedgerError)
    assert got[2].detail == "the write failed"


def test_a_cancelled_request_is_left_and_a_late_one_answered_at_once() -> None:
    async def main() -> tuple[Any, Any]:
        gone, kept = _pending(), _pending()
        gone_waiter, kept_waiter = gone.answered(), kept.answered()
        gone_waiter.cancel()  # its client went away meanwhile
        _answer_in_a_thread([gone, kept], [[(2, "score-b")], [(3, "score-c")]])
        answer = await kept_waiter
        late = await gone.answered()  # asked after the writer answered
        assert gone_waiter.cancelled()
        return answer, late

    assert asyncio.run(main()) == ([(3, "score-c")], [(2, "score-b")])
