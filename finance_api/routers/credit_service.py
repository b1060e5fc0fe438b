"""The scoring service behind the credit routes: who may see a score, and its record.

A participant sees its own score; a lender or a seller sees another's only while that
participant's consent with scope ``score`` is in force (otherwise the subject is answered
as if it did not exist); auditors see all. Every score shown to someone other than its
subject (and not an auditor) is recorded on the ledger as ``credit.score_issued``, signed
by the platform's scoring participant, together with an access-log row, in one unit of
work, so either party can later prove what was shown. Scores are computed at the newest
signed checkpoint and kept in a small cache keyed by (tree size, participant); a score
still holds at a newer checkpoint when nothing the feature pass reads was added between
the two (recorded scores and consents are not read), and is carried there instead of
computed again.

Recording is a group commit: one writer thread appends every score waiting as one batch,
in a unit of work that reads again the consents they are shown under (a score whose
consent ended meanwhile is shown to nobody, and nothing is recorded for it). So a consent
seen in force may be remembered as a hint for the next request's first check: a revoked
one still stops the next score, in the write. Nothing is sent before its commit.

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
from credit.features.scan import compute, entries_of, newest_read
from credit.scoring.scorer import Scorer, load
from finance_api.routers.score_commit import GroupCommit, record_payload
from finance_api.routers.score_serving import Pending, Serving, Shown
from ledger.core.access import Caller
from ledger.core.errors import LedgerError, NotFound
from ledger.core.events import Draft
from ledger.core.keys import SigningKey
from ledger.keyfile import load as load_key
from ledger.log import Ledger
from ledger.trust.access import READ_ALL, consents_to

CACHE = 4096
POINTS = 64  # tree sizes whose root and newest read entry are remembered


class NoModel(LedgerError):
    code = "no_model"
    status = 404


def as_ledger_error(exc: CreditError) -> LedgerError:
    error = LedgerError(exc.detail, field=exc.field)
    error.code, error.status = exc.code, exc.status
    return error


class CreditService:
    def __init__(self, scorer: Scorer, scorer_id: str, scorer_key: SigningKey) -> None:
        self.scorer = scorer
        self.scorer_id = scorer_id
        self.key = scorer_key
        self._cache: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()
        # subject -> its newest score computed (size, score), to carry to a newer checkpoint
        self._latest: OrderedDict[str, tuple[int, dict[str, Any]]] = OrderedDict()
        self._points: OrderedDict[int, tuple[str, int | None]] = OrderedDict()
        # (grantee, subject) -> a consent seen in force: a hint only, checked again when
        # the score shown under it is recorded
        self._consents: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()
        self._commits = GroupCommit(scorer_key)

    # -- who may see whom ---------------------------------------------------------------
    def visible(
        self,
        ledger: Ledger,
        caller: Caller,
        subjects: Sequence[str],
        *,
        to_record: bool = False,
    ) -> dict[str, str | None]:
        """subject -> consent id (None: the caller's own, or an auditor) for those it may see.

        ``to_record``: every subject seen through a consent will be recorded, and the write
        that records it checks that consent again (and shows nothing if it has ended), so a
        consent seen in force before may be taken from memory instead of read again. A
        subject not in memory is read, as always."""
        if caller.roles & READ_ALL:
            return dict.fromkeys(subjects)
        others = {s for s in subjects if s != caller.participant_id}
        if not others:
            return dict.fromkeys(subjects)  # one's own: no consent to look up
        if to_record:
            with self._lock:
                held = {s: self._consents.get((caller.participant_id, s)) for s in others}
            if all(held.values()):
                return {s: held.get(s) for s in subjects}
        # one subject (a lender's single score, the hot path): its own consent row only,
        # not every consent the caller holds
        only = next(iter(others)) if len(others) == 1 else None
        with ledger.reading() as connection:
            consents = consents_to(
                connection, caller.participant_id, "score", ledger.clock.now(), only
            )
        with self._lock:
            for subject, consent_id in consents.items():
                self._consents[(caller.participant_id, subject)] = consent_id
                self._consents.move_to_end((caller.participant_id, subject))
            while len(self._consents) > CACHE:
                self._consents.popitem(last=False)
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
            carried = self._carried(ledger, size, missing)
            missing = [s for s in missing if s not in carried]
            table = compute(ledger, size, missing) if missing else None
            known = [s for s in missing if table is not None and s in table.frame.index]
            try:
                results = self.scorer.score_table(table, known) if table and known else []
            except CreditError as exc:
                raise as_ledger_error(exc) from None
            with self._lock:
                for result in [*carried.values(), *results]:
                    subject = result["participant"]
                    hits[subject] = self._cache[(size, subject)] = result
                    self._latest[subject] = (size, result)
                    self._latest.move_to_end(subject)
                while len(self._cache) > CACHE:
                    self._cache.popitem(last=False)
                while len(self._latest) > CACHE:
                    self._latest.popitem(last=False)
        return {s: dict(hit) for s, hit in hits.items() if hit is not None}

    def _carried(
        self, ledger: Ledger, size: int, subjects: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Scores computed at an earlier checkpoint that hold unchanged at ``size``: when no
        entry the feature pass reads (a trade, a payment, an answer...) was added between
        the two, every feature and the as-of time are the same, so the score, PD, grade and
        reasons are too; only the checkpoint named is the newer one. Recorded scores and
        consents move checkpoints on without changing any score, and a lender's reads
        (each one recorded) would otherwise have every score recomputed at every
        checkpoint they cause."""
        with self._lock:
            earlier = {s: self._latest[s] for s in subjects if s in self._latest}
        earlier = {s: seen for s, seen in earlier.items() if seen[0] < size}
        if not earlier:
            return {}
        root, newest = self._point(ledger, size)
        if newest is None:
            return {}
        checkpoint = {"tree_size": size, "root_hash": root}
        return {
            s: {**result, "checkpoint": checkpoint}
            for s, (was, result) in earlier.items()
            if self._point(ledger, was)[1] == newest
        }

    def _point(self, ledger: Ledger, size: int) -> tuple[str, int | None]:
        """(root, newest entry the feature pass reads) of the tree of ``size``, remembered."""
        with self._lock:
            known = self._points.get(size)
        if known is None:
            with ledger.reading() as connection:
                known = (ledger.proofs.root(size, connection).hex(), newest_read(connection, size))
            with self._lock:
                self._points[size] = known
                while len(self._points) > POINTS:
                    self._points.popitem(last=False)
        return known

    def serve(
        self, ledger: Ledger, caller: Caller, subjects: Sequence[str]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """Scores of the subjects the caller may see, recorded when shown to another party;
        the rest are listed as not found, whether they exist or not."""
        return self.start(ledger, caller, subjects).finish()

    def start(self, ledger: Ledger, caller: Caller, subjects: Sequence[str]) -> Serving:
        """:meth:`serve` up to its group commit: the scores the caller may see, and those
        shown to another party signed and handed to the writer."""
        record = not caller.roles & READ_ALL
        seen = self.visible(ledger, caller, subjects, to_record=record)
        found = self.scores(ledger, [s for s in subjects if s in seen]) if seen else {}
        results = [found[s] for s in subjects if s in found]
        recorded = [r for r in results if r["participant"] != caller.participant_id]
        answer = self._record(ledger, caller, recorded) if recorded and record else None
        return Serving(caller, subjects, results, answer, self.forget_consents)

    def forget_consents(self, grantee: str, subjects: set[str]) -> None:  # ended meanwhile
        with self._lock:
            for subject in subjects:
                self._consents.pop((grantee, subject), None)

    def start_remembered(self, ledger: Ledger, caller: Caller, subject: str) -> Serving | None:
        """:meth:`start` for one score shown to another party, from memory alone: the score
        at the newest checkpoint known, already computed (for anyone), drafted for this
        reader or naming its record for this reader. Whether the reader may see it is left
        to the write, which reads the consent in force in the unit of work that records the
        score and shows nothing without one, exactly as :meth:`start`'s own check would have
        (its read is only there so that nothing is computed for a reader who may not see
        it). On the loop; None: go :meth:`start`."""
        if subject == caller.participant_id or caller.roles & READ_ALL:
            return None
        size = ledger.known_sizes()[1]
        with self._lock:
            hit = self._cache.get((size, subject))
        if hit is None:
            return None
        result = dict(hit)
        answer = self._record(ledger, caller, [result])
        return Serving(caller, [subject], [result], answer, self.forget_consents)

    def _record(self, ledger: Ledger, caller: Caller, results: list[dict[str, Any]]) -> Pending:
        """Draft the records of the scores shown that no record is known for; queue all for
        the group commit (which signs those it records, logs each read, and names the
        record of a score shown to this reader before). Memory only."""
        now = ledger.clock.now()
        reader = caller.participant_id
        drafts: list[Draft] = []
        shown = []
        for r in results:
            payload = record_payload(reader, r)
            identity = tuple(payload.values())
            record = self._commits.recorded(ledger, identity)
            shown.append(Shown(reader, r["participant"], r["checkpoint"]["tree_size"], now,
                               identity, record))  # fmt: skip
            if record is not None:
                continue
            score_id = f"score-{uuid.uuid4()}"
            drafts.append(Draft(
                flow="finance", type="credit.score_issued", actor=self.scorer_id,
                payload={"score_id": score_id, **payload}, occurred_at=now,
                subjects=[r["participant"], reader],
            ))  # fmt: skip
        return self._commits.submit(Pending(ledger, drafts, shown))

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
