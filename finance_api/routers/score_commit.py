"""The group commit of recorded scores: one writer thread, one unit of work a batch.

A score shown to another party is signed and checked by its request
(:meth:`~finance_api.routers.credit_service.CreditService.start`) and handed here; the
writer appends every score waiting as one batch, in a unit of work that reads again the
consents they are shown under, and answers each request through its future. Requests wait
on their futures, on the event loop or in a thread, not on a lock: while one batch is
written, the next gathers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from ledger.core.access import Caller
from ledger.core.errors import LedgerError
from ledger.log import Ledger
from ledger.storage.sequencer import Prepared
from ledger.trust.access import consents_in_force, record_read_rows

Row = tuple[str, str, str, str, datetime]  # reader, subject, resource, detail, at


class Pending:
    """One request's score records, waiting for a group commit.

    ``rows`` are its access-log rows, one per event, each without its consent id: the
    writer fills in the consent it finds in force, in the unit of work that records them.
    ``future`` gets the sequence numbers, one per event: None where that consent had
    ended by then.
    """

    __slots__ = ("future", "ledger", "prepared", "rows")

    def __init__(self, ledger: Ledger, prepared: Prepared, rows: list[Row]) -> None:
        self.ledger = ledger
        self.prepared = prepared
        self.rows = rows
        self.future: Future[list[int | None]] = Future()
        # running: a request awaiting it and cancelled (its client gone) cannot cancel it,
        # so the writer always answers every future of its batch
        self.future.set_running_or_notify_cancel()


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
        future: Future[list[int | None]] | None,
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
            for r, seq in zip(recorded, self.future.result(), strict=True):
                r["recorded_seq"] = seq
                if seq is None:
                    ended.add(r["participant"])
            if ended:
                self.forget(self.caller.participant_id, ended)
                results = [r for r in results if r["participant"] not in ended]
        shown = {r["participant"] for r in results}
        return results, [s for s in self.subjects if s not in shown]


class GroupCommit:
    """The queue of one service's score records and the thread that writes them."""

    def __init__(self) -> None:
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()
        self._writing = False
        # one thread writes the group commits: requests waiting for theirs hold no thread
        self._writer = ThreadPoolExecutor(1, "threeflow-credit-writer")

    def submit(self, mine: Pending) -> Future[list[int | None]]:
        """Group commit: requests queue their signed, checked events, and one writer thread
        appends all that are waiting as one batch in one unit of work (one lock, one
        consent read, one write of the batch, one projection call, one access-log insert,
        one commit) instead of one each; every request gets its own sequence numbers back.
        While the writer writes a batch, the next one gathers."""
        with self._queue_lock:
            self._queue.append(mine)
            if self._writing:
                return mine.future
            self._writing = True
        self._writer.submit(self._drain)
        return mine.future

    def _drain(self) -> None:
        """Write batches until none is waiting (the writer thread's loop)."""
        while True:
            with self._queue_lock:
                batch, self._queue = self._queue, []
                if not batch:
                    self._writing = False
                    return
            ledgers: dict[int, list[Pending]] = {}
            for item in batch:
                ledgers.setdefault(id(item.ledger), []).append(item)
            for items in ledgers.values():
                _write_all(items)


class _Refused(Exception):
    """The append refused the batch (nothing was written): ``error`` says why."""

    def __init__(self, error: LedgerError) -> None:
        super().__init__(str(error))
        self.error = error


def _write_all(batch: list[Pending]) -> None:
    """Write a batch and answer each of its requests. A batch the append refuses (nothing
    written) is written again request by request, so each learns its own error, in its
    own words, and the others are recorded all the same; any other failure (the
    database's) is every request's answer, as it was when each wrote its own."""
    try:
        try:
            _write(batch)
        except _Refused as refused:
            if len(batch) == 1:
                raise refused.error from None
            for item in batch:  # alone, each answered for itself
                try:
                    _write([item])
                except _Refused as alone:
                    item.future.set_exception(alone.error)
                except Exception as exc:
                    item.future.set_exception(exc)
    except BaseException as exc:
        for item in batch:
            if not item.future.done():
                item.future.set_exception(exc)
        if not isinstance(exc, Exception):
            raise


def _write(batch: list[Pending]) -> None:
    """Append the batch's events as one and log its reads, in one unit of work that first
    reads the consents they are shown under: a score whose consent has ended (revoked, or
    expired) since the request looked is left out, and nothing is recorded for it."""
    ledger = batch[0].ledger
    with ledger.unit_of_work() as uow:
        now = ledger.clock.now()
        pairs = {(row[0], row[1]) for item in batch for row in item.rows}
        consents = consents_in_force(uow.connection, pairs, "score", now)
        keep: set[str] = set()
        rows: list[tuple[str, str, str, str, str | None, datetime]] = []
        for item in batch:
            for event, (reader, subject, resource, detail, at) in zip(
                item.prepared.events, item.rows, strict=True
            ):
                consent_id = consents.get((reader, subject))
                if consent_id is not None:
                    keep.add(event.id)
                    rows.append((reader, subject, resource, detail, consent_id, at))
        parts = [item.prepared.only(keep) for item in batch]
        parts = [part for part in parts if part.events]
        try:
            appended = uow.append(Prepared.joined(parts)) if parts else []
        except LedgerError as exc:
            raise _Refused(exc) from exc
        record_read_rows(uow.connection, rows)
        uow.commit()
    seqs = {entry.event.id: entry.seq for entry in appended}
    for item in batch:
        item.future.set_result([seqs.get(event.id) for event in item.prepared.events])
