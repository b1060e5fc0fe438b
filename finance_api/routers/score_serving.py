"""A score being served to another party: its scores wait for their group commit.

Split from :mod:`finance_api.routers.score_commit` (the writer), which answers the
future a :class:`Serving` waits on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from ledger.core.access import Caller

Record = tuple[int, str]  # the credit.score_issued entry's seq, and its score id


class Serving:
    """A serve whose scores to another party wait for their group commit: wait on
    ``future`` (or await it, wrapped, on the event loop: no thread is held meanwhile),
    then :meth:`finish`."""

    __slots__ = ("caller", "forget", "future", "results", "subjects")

    def __init__(
        self,
        caller: Caller,
        subjects: Sequence[str],
        results: list[dict[str, Any]],
        future: Future[list[Record | None]] | None,
        forget: Callable[[str, set[str]], None],
    ) -> None:
        self.forget = forget  # (grantee, subjects): consents no longer to be remembered
        self.caller = caller
        self.subjects = subjects
        self.results = results
        self.future = future

    def finish(self) -> tuple[list[dict[str, Any]], list[str]]:
        """(scores shown, subjects answered as not found); raises the write's error. A
        score whose consent had ended by the write is not shown (nothing was recorded)."""
        results = self.results
        if self.future is not None:
            recorded = [r for r in results if r["participant"] != self.caller.participant_id]
            ended = set()
            for r, record in zip(recorded, self.future.result(), strict=True):
                if record is None:
                    ended.add(r["participant"])
                else:
                    r["recorded_seq"], r["score_id"] = record
            if ended:
                self.forget(self.caller.participant_id, ended)
                results = [r for r in results if r["participant"] not in ended]
        shown = {r["participant"] for r in results}
        return results, [s for s in self.subjects if s not in shown]
