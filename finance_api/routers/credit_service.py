"""The scoring service behind the credit routes: who may see a score, and its record.

A participant sees its own score; a lender or a seller sees another's only while that
participant's consent with scope ``score`` is in force (otherwise the subject is answered
as if it did not exist); auditors see all. Every score shown to someone other than its
subject (and not an auditor) is recorded on the ledger as ``credit.score_issued``, signed
by the platform's scoring participant, together with an access-log row, in one unit of
work, so either party can later prove what was shown. Scores are computed at the newest
signed checkpoint and kept in a small cache keyed by (tree size, participant).

Configured by :func:`from_env` (``THREEFLOW_CREDIT_MODEL``, ``THREEFLOW_CREDIT_SCORER``,
``THREEFLOW_CREDIT_SCORER_KEY_FILE``) or set on ``app.state.credit`` by whoever builds
the app (the demo does).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from credit.errors import CreditError
from credit.features.credibility import credibility
from credit.features.scan import compute, entries_of
from credit.scoring.scorer import Scorer, load
from ledger.core.access import Caller
from ledger.core.errors import LedgerError, NotFound
from ledger.core.events import Event
from ledger.core.keys import SigningKey
from ledger.keyfile import load as load_key
from ledger.log import Ledger
from ledger.trust.access import READ_ALL, consents_to, record_read

CACHE = 4096


class NoModel(LedgerError):
    code = "no_model"
    status = 404


def as_ledger_error(exc: CreditError) -> LedgerError:
    error = LedgerError(exc.detail, field=exc.field)
    error.code, error.status = exc.code, exc.status
    return error


class _Pending:
    """One request's score records, waiting for a group commit."""

    __slots__ = ("done", "error", "prepared", "rows", "seqs")

    def __init__(self, prepared: Any, rows: list[tuple[Any, ...]]) -> None:
        self.prepared = prepared
        self.rows = rows
        self.seqs: list[int] = []
        self.error: Exception | None = None
        self.done = threading.Event()


class CreditService:
    def __init__(self, scorer: Scorer, scorer_id: str, scorer_key: SigningKey) -> None:
        self.scorer = scorer
        self.scorer_id = scorer_id
        self.key = scorer_key
        self._cache: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()

    # -- who may see whom ---------------------------------------------------------------
    def visible(
        self, ledger: Ledger, caller: Caller, subjects: Sequence[str]
    ) -> dict[str, str | None]:
        """subject -> consent id (None: the caller's own, or an auditor) for those it may see."""
        if caller.roles & READ_ALL:
            return dict.fromkeys(subjects)
        if all(s == caller.participant_id for s in subjects):
            return dict.fromkeys(subjects)  # one's own: no consent to look up
        with ledger.reading() as connection:
            consents = consents_to(connection, caller.participant_id, "score", ledger.clock.now())
        return {s: consents.get(s) for s in subjects if s == caller.participant_id or s in consents}

    def unrecorded_hit(
        self, ledger: Ledger, caller: Caller, subject: str
    ) -> tuple[int, dict[str, Any]] | None:
        """(checkpoint size, score) when :meth:`serve` would answer from memory alone: the
        caller's own score or an auditor's read (no consent to look up, nothing recorded),
        already computed at the newest checkpoint this process knows. Otherwise None (and
        the caller goes the full way, off the loop). Memory only: safe on the event loop."""
        if subject != caller.participant_id and not caller.roles & READ_ALL:
            return None
        size = ledger.known_sizes()[1]
        if not size:
            return None
        with self._lock:
            hit = self._cache.get((size, subject))
        return None if hit is None else (size, dict(hit))

    # -- scores ---------------------------------------------------------------------------
    def scores(self, ledger: Ledger, subjects: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Scores at the newest checkpoint (cached) of the subjects that exist there."""
        newest = ledger.known_sizes()[1]  # the newest checkpoint this process cut or read
        size = newest or ledger.latest_checkpoint_size() or ledger.size()
        with self._lock:
            hits = {s: self._cache.get((size, s)) for s in subjects}
        missing = [s for s, hit in hits.items() if hit is None]
        if missing:
            table = compute(ledger, size, missing)
            known = [s for s in missing if s in table.frame.index]
            try:
                results = self.scorer.score_table(table, known) if known else []
            except CreditError as exc:
                raise as_ledger_error(exc) from None
            with self._lock:
                for result in results:
                    hits[result["participant"]] = self._cache[(size, result["participant"])] = (
                        result
                    )
                while len(self._cache) > CACHE:
                    self._cache.popitem(last=False)
        return {s: dict(hit) for s, hit in hits.items() if hit is not None}

    def serve(
        self, ledger: Ledger, caller: Caller, subjects: Sequence[str]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Scores of the subjects the caller may see, recorded when shown to another party;
        the rest are listed as not found, whether they exist or not."""
        seen = self.visible(ledger, caller, subjects)
        found = self.scores(ledger, [s for s in subjects if s in seen]) if seen else {}
        results = [found[s] for s in subjects if s in found]
        hidden = [s for s in subjects if s not in found]
        recorded = [r for r in results if r["participant"] != caller.participant_id]
        if recorded and not caller.roles & READ_ALL:
            self._record(ledger, caller, recorded, seen)
        return results, hidden

    def _record(
        self,
        ledger: Ledger,
        caller: Caller,
        results: list[dict[str, Any]],
        consents: dict[str, str | None],
    ) -> None:
        now = ledger.clock.now()
        events = []
        for r in results:
            score_id = f"score-{uuid.uuid4()}"
            r["score_id"] = score_id
            events.append(Event.create(
                self.key, flow="finance", type="credit.score_issued", actor=self.scorer_id,
                payload={
                    "score_id": score_id, "subject": r["participant"],
                    "recipient": caller.participant_id, "model_version": r["model_version"],
                    "feature_schema": r["feature_schema_hash"],
                    "tree_size": r["checkpoint"]["tree_size"],
                    "root_hash": r["checkpoint"]["root_hash"], "score": r["score"],
                    "pd_ppm": r["pd_ppm"], "grade": r["grade"], "reasons_hash": r["reasons_hash"],
                },
                occurred_at=now, subjects=[r["participant"], caller.participant_id],
            ))  # fmt: skip
        rows = [
            (caller.participant_id, r["participant"], "credit",
             f"score {r['score_id']} at tree size {r['checkpoint']['tree_size']}",
             consents.get(r["participant"]), now)
            for r in results
        ]  # fmt: skip
        for r, seq in zip(results, self._commit(ledger, events, rows), strict=True):
            r["recorded_seq"] = seq

    def _commit(
        self, ledger: Ledger, events: list[Event], rows: list[tuple[Any, ...]]
    ) -> list[int]:
        """Group commit: requests that arrive while one unit of work is being written wait,
        and the next writer appends all of theirs in one unit of work (one fsync, one lock)
        instead of one each; every request gets its own sequence numbers back."""
        mine = _Pending(ledger.prepare(events), rows)
        with self._queue_lock:
            self._queue.append(mine)
        with self._write_lock:
            if not mine.done.is_set():
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                try:
                    with ledger.unit_of_work() as uow:
                        for item in batch:
                            item.seqs = [e.seq for e in uow.append(item.prepared)]
                            for row in item.rows:
                                record_read(uow.connection, *row)
                        uow.commit()
                except Exception as exc:  # every waiter of the batch learns why
                    for item in batch:
                        item.error = exc
                finally:
                    for item in batch:
                        item.done.set()
        if mine.error is not None:
            raise mine.error
        return mine.seqs

    # -- credibility ----------------------------------------------------------------------
    def credibility(self, ledger: Ledger, caller: Caller, subject: str) -> dict[str, Any]:
        shown, hidden = self.serve(ledger, caller, [subject])
        if hidden:
            raise NotFound(f"no participant {subject} you may see", field="participant")
        size = shown[0]["checkpoint"]["tree_size"]
        as_of, entries = entries_of(ledger, subject, size)
        return {"participant": subject, "score": shown[0], "checkpoint": shown[0]["checkpoint"],
                **credibility(subject, entries, as_of.at)}  # fmt: skip


def from_env() -> CreditService | None:
    """The service the environment configures, or None when no model is named."""
    folder = os.environ.get("THREEFLOW_CREDIT_MODEL")
    if not folder:
        return None
    scorer_id = os.environ.get("THREEFLOW_CREDIT_SCORER", "platform-0001")
    key_file = Path(os.environ.get("THREEFLOW_CREDIT_SCORER_KEY_FILE", "var/credit-scorer.key"))
    try:
        return CreditService(Scorer(load(folder)), scorer_id, load_key(key_file))
    except CreditError as exc:
        raise as_ledger_error(exc) from None
