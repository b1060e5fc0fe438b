"""The group commit of recorded scores: one writer thread, one unit of work a batch.

A score shown to another party is drafted by its request
(:meth:`~finance_api.routers.credit_service.CreditService.start`) and handed here; the
writer appends every score waiting as one batch, in a unit of work that reads again the
consents they are shown under, signs the records of those still in force (and only
those: a score nobody may see is never signed), and answers each request through its
future. The request does no more than memory work, so one for a score already computed
needs no worker thread at all. Requests wait
on their futures, on the event loop or in a thread, not on a lock: while one batch is
written, the next gathers.

A score is recorded once per reader: the same score (subject, reader, model, checkpoint,
figures and reasons) shown again names the ``credit.score_issued`` entry that first
recorded it, which proves what was shown just as well, and only its read is logged (with
the consent in force, as every read is). A lender polling its borrowers therefore adds an
access-log row per read, not a signed entry per read: the ledger grows with what was
shown, not with how often, and no reader can grow it at its request rate.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from finance_api.routers.score_serving import Pending, Record, wake
from ledger.core.errors import LedgerError
from ledger.core.events import Draft
from ledger.core.keys import SigningKey
from ledger.log import Ledger
from ledger.trust.access import consents_in_force, record_read_rows
from ledger.trust.read_log import Read

RECORDS = 16_384  # scores remembered as recorded, per ledger


def record_payload(reader: str, score: dict[str, Any]) -> dict[str, Any]:
    """The record of ``score`` shown to ``reader`` (``credit.score_issued``), but its score
    id: its values, in order, are what makes two scores shown the same."""
    checkpoint = score["checkpoint"]
    return {
        "subject": score["participant"], "recipient": reader,
        "model_version": score["model_version"], "feature_schema": score["feature_schema_hash"],
        "tree_size": checkpoint["tree_size"], "root_hash": checkpoint["root_hash"],
        "score": score["score"], "pd_ppm": score["pd_ppm"], "grade": score["grade"],
        "reasons_hash": score["reasons_hash"],
    }  # fmt: skip


class GroupCommit:
    """The queue of one service's score records and the thread that signs (with ``key``,
    the scoring participant's) and writes them."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self._queue: list[Pending] = []
        self._queue_lock = threading.Lock()
        self._writing = False
        # one thread writes the group commits: requests waiting for theirs hold no thread
        self._writer = ThreadPoolExecutor(1, "threeflow-credit-writer")
        # per ledger: score identity -> its committed record (written by the writer alone)
        self._records: weakref.WeakKeyDictionary[Ledger, OrderedDict[Hashable, Record]] = (
            weakref.WeakKeyDictionary()
        )
        self._records_lock = threading.Lock()

    def recorded(self, ledger: Ledger, identity: Hashable) -> Record | None:
        """The committed record of this score shown to this reader, if one is remembered."""
        with self._records_lock:
            known = self._records.get(ledger)
            return None if known is None else known.get(identity)

    def remember(self, ledger: Ledger, records: dict[Hashable, Record]) -> None:
        """Records just committed (by the writer alone): later reads name them."""
        with self._records_lock:
            known = self._records.setdefault(ledger, OrderedDict())
            known.update(records)
            while len(known) > RECORDS:
                known.popitem(last=False)

    def submit(self, mine: Pending) -> Pending:
        """Group commit: requests queue their drafted records, and one writer thread
        appends all that are waiting as one batch in one unit of work (one lock, one
        consent read, one signing of the batch, one write, one projection call, one
        access-log insert, one commit) instead of one each; every request gets its own
        sequence numbers back. While the writer writes a batch, the next one gathers."""
        with self._queue_lock:
            self._queue.append(mine)
            if self._writing:
                return mine
            self._writing = True
        self._writer.submit(self._drain)
        return mine

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
                _write_all(self, items)


class _Refused(Exception):
    """The append refused the batch (nothing was written): ``error`` says why."""

    def __init__(self, error: LedgerError) -> None:
        super().__init__(str(error))
        self.error = error


def _write_all(commits: GroupCommit, batch: list[Pending]) -> None:
    """Write a batch and answer each of its requests. A batch the append refuses (nothing
    written) is written again request by request, so each learns its own error, in its
    own words, and the others are recorded all the same; any other failure (the
    database's) is every request's answer, as it was when each wrote its own."""
    try:
        try:
            _write(commits, batch)
        except _Refused as refused:
            if len(batch) == 1:
                raise refused.error from None
            for item in batch:  # alone, each answered for itself
                try:
                    _write(commits, [item])
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
    finally:
        wake(batch)


def _write(commits: GroupCommit, batch: list[Pending]) -> None:
    """Sign and append the batch's new records as one and log its reads, in one unit of
    work that first reads the consents they are shown under: a score whose consent has
    ended (revoked, or expired) since the request looked, or that the request took from
    memory without looking, is left out, and nothing is signed, recorded or logged for it.
    A score already recorded for its reader (committed before, or earlier in this batch)
    is not appended again: its read names that record."""
    ledger = batch[0].ledger
    if not any(item.drafts for item in batch):
        _log_repeats(batch)
        return
    with ledger.unit_of_work() as uow:
        now = ledger.clock.now()
        pairs = {(s.reader, s.subject) for item in batch for s in item.shown}
        consents = consents_in_force(uow.connection, pairs, "score", now)
        kept: list[Draft] = []  # the records this batch writes, in order
        new: dict[Hashable, int] = {}  # identity -> its record's place in ``kept``
        # per score shown, in order: (its consent, a known record or its place in ``kept``)
        plans: list[list[tuple[str, Record | int] | None]] = []
        for item in batch:
            drafts = iter(item.drafts)
            plan: list[tuple[str, Record | int] | None] = []
            for shown in item.shown:
                draft = next(drafts) if shown.record is None else None
                consent_id = consents.get((shown.reader, shown.subject))
                if consent_id is None:
                    plan.append(None)
                    continue
                identity = shown.identity
                source: Record | int | None = (
                    shown.record or commits.recorded(ledger, identity) or new.get(identity)
                )
                if source is None:
                    assert draft is not None  # a score with no known record brought its draft
                    source = new[identity] = len(kept)
                    kept.append(draft)
                plan.append((consent_id, source))
            plans.append(plan)
        try:  # signed here, so not verified again (the write still holds the key to the
            # registry's)
            prepared = ledger.prepare_signed(commits.key, kept) if kept else None
            appended = uow.append(prepared) if prepared is not None else []
        except LedgerError as exc:
            raise _Refused(exc) from exc
        seqs = {entry.event.id: entry.seq for entry in appended}
        records: list[Record] = [
            (seqs[event.id], str(event.payload["score_id"]))
            for event in (prepared.events if prepared is not None else ())
        ]
        answers: list[list[Record | None]] = []
        rows: list[tuple[str, str, str, str, str | None, datetime]] = []
        for item, plan in zip(batch, plans, strict=True):
            answer: list[Record | None] = []
            for shown, step in zip(item.shown, plan, strict=True):
                if step is None:
                    answer.append(None)
                    continue
                consent_id, source = step
                record = records[source] if isinstance(source, int) else source
                answer.append(record)
                detail = _detail(record, shown.tree_size)
                rows.append((shown.reader, shown.subject, "credit", detail, consent_id, shown.at))
            answers.append(answer)
        record_read_rows(uow.connection, rows)
        uow.commit()
    commits.remember(ledger, {identity: records[at] for identity, at in new.items()})
    for item, answer in zip(batch, answers, strict=True):
        item.future.set_result(answer)


def _log_repeats(batch: list[Pending]) -> None:
    """A batch of repeats only (each score shown already recorded for its reader): nothing
    to append, so no sequencer lock; each read logged under the consent in force now, in
    one statement (:class:`~ledger.trust.read_log.ReadLog`); a score whose consent ended
    meanwhile is shown to nobody."""
    ledger = batch[0].ledger
    reads = []
    for item in batch:
        for s in item.shown:
            assert s.record is not None  # a request that brought no event knows each record
            reads.append(Read(s.reader, s.subject, "credit", _detail(s.record, s.tree_size), s.at))
    consents = iter(ledger.read_log.log(reads, "score", ledger.clock.now()))
    for item in batch:
        item.future.set_result([s.record if next(consents) else None for s in item.shown])


def _detail(record: Record, tree_size: int) -> str:
    return f"score {record[1]} at tree size {tree_size}"
