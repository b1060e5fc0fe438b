"""Scores shown to a lender, recorded by the group commit, on SQLite and on PostgreSQL.

Concurrent requests are written together in one unit of work, yet each gets its access-log
row (under the consent in force when it was written) and each score its one entry: the
same score shown to the same reader again names the entry that first recorded it, and
another reader or a newer checkpoint gets an entry of its own; a consent revoked
after it was seen stops the next score even though it was remembered; a score carried to
a newer checkpoint is the score computed there; a batch the append refuses answers every
request in the words it would have had alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import finance_api.routers.credit_service as service_module
import finance_api.routers.score_commit as score_commit
from credit.scoring.scorer import Scorer, load
from credit.scoring.training import train
from finance_api.routers.credit_service import CreditService
from ledger.core.access import Caller
from ledger.core.errors import LedgerError
from ledger.core.events import Event
from ledger.log import Ledger
from ledger.trust.tables import AccessRecord
from simulations.runner import ledger_key_for
from simulations.signer import agent_key
from tests.credit.ledgers import SimLedger, grant_score_consent
from tests.ledger.stores import Store

LENDER = Caller("lender-0001", frozenset({"lender"}))
SCORER = "platform-0001"


@dataclass
class Shown:
    ledger: Ledger
    service: CreditService
    scorer: Scorer
    seed: int
    subjects: list[str]


@pytest.fixture(scope="module")
def shown(
    sim_ledger: SimLedger, credit_store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shown]:
    url = credit_store.clone(sim_ledger.url)
    seed = sim_ledger.config.seed
    ledger = Ledger.open(url, ledger_key=ledger_key_for(seed), clock=sim_ledger.clock)
    try:
        folder: Path = tmp_path_factory.mktemp("score-records")
        trained = train(ledger, folder / "models", created_at=datetime.now(UTC))
        scorer = Scorer(load(trained.folder))
        subjects = sorted(
            p for p, r in service_module.compute(ledger).roles.items() if r == "seller"
        )[:3]
        for subject in subjects:
            grant_score_consent(ledger, seed, subject, LENDER.participant_id)
        ledger.checkpoint()
        service = CreditService(scorer, SCORER, agent_key(seed, SCORER))
        yield Shown(ledger, service, scorer, seed, subjects)
    finally:
        ledger.close()
        credit_store.drop(url)


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each batch written; the first write waits a moment, so the requests
    sent meanwhile gather into the next one."""
    sizes: list[int] = []
    real = score_commit._write

    def write(commits: Any, batch: list[Any]) -> None:
        if not sizes:
            time.sleep(0.3)
        sizes.append(len(batch))
        real(commits, batch)

    monkeypatch.setattr(score_commit, "_write", write)
    return sizes


def _access_rows(ledger: Ledger) -> list[Any]:
    with ledger.reading() as connection:
        return list(connection.execute(select(AccessRecord).order_by(AccessRecord.id)))


def test_concurrent_scores_are_written_together_each_score_once_each_read_logged(
    shown: Shown, batches: list[int]
) -> None:
    ledger, service = shown.ledger, shown.service
    ledger.checkpoint()  # a checkpoint no score was shown at yet
    size, logged = ledger.size(), len(_access_rows(ledger))
    picks = [shown.subjects[i % 2] for i in range(32)]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda s: service.serve(ledger, LENDER, [s]), picks))
    scores = [shown_[0] for shown_, hidden in answers if not hidden]
    assert len(scores) == 32
    assert max(batches) > 1
    assert sum(batches) == 32
    # two scores shown (one a subject), each recorded once, whichever request came first
    assert len({s["recorded_seq"] for s in scores}) == len({s["score_id"] for s in scores}) == 2
    assert ledger.size() == size + 2
    rows = _access_rows(ledger)[logged:]
    assert len(rows) == 32  # every read is logged
    for s in scores:
        entry = ledger.entry(s["recorded_seq"])
        p = entry.event.payload
        assert (entry.event.type, entry.event.actor) == ("credit.score_issued", SCORER)
        assert (p["score_id"], p["subject"], p["recipient"]) == (
            s["score_id"], s["participant"], LENDER.participant_id,
        )  # fmt: skip
        assert (p["score"], p["pd_ppm"], p["grade"], p["reasons_hash"]) == (
            s["score"], s["pd_ppm"], s["grade"], s["reasons_hash"],
        )  # fmt: skip
        assert p["tree_size"] == s["checkpoint"]["tree_size"]
    for row in rows:
        assert (row.reader, row.resource) == (LENDER.participant_id, "credit")
        assert row.consent_id == f"c-{row.subject}-{LENDER.participant_id}"
        recorded = {s["score_id"] for s in scores if s["participant"] == row.subject}
        assert row.detail.split()[1] in recorded


def test_the_same_score_shown_again_names_its_record_another_reader_gets_its_own(
    shown: Shown,
) -> None:
    ledger, service, subject = shown.ledger, shown.service, shown.subjects[1]
    ledger.checkpoint()
    first = service.serve(ledger, LENDER, [subject])[0][0]
    size, logged = ledger.size(), len(_access_rows(ledger))
    again = service.serve(ledger, LENDER, [subject])[0][0]
    assert (again["recorded_seq"], again["score_id"]) == (first["recorded_seq"], first["score_id"])
    assert ledger.size() == size  # nothing appended for a score already recorded
    assert len(_access_rows(ledger)) == logged + 1  # the read is logged all the same

    other = Caller("lender-0002", frozenset({"lender"}))
    grant_score_consent(ledger, shown.seed, subject, other.participant_id)
    size = ledger.size()
    theirs = service.serve(ledger, other, [subject])[0][0]
    assert theirs["recorded_seq"] == size  # its own entry: what was shown to whom
    entry = ledger.entry(theirs["recorded_seq"])
    assert entry.event.payload["recipient"] == other.participant_id
    assert entry.event.payload["score_id"] == theirs["score_id"] != first["score_id"]

    # a service started afresh does not remember: it records again (never a wrong record)
    fresh = CreditService(shown.scorer, SCORER, agent_key(shown.seed, SCORER))
    size = ledger.size()
    anew = fresh.serve(ledger, LENDER, [subject])[0][0]
    assert anew["recorded_seq"] == size
    assert anew["score"] == first["score"]


def test_a_consent_revoked_after_it_was_seen_stops_the_next_score(shown: Shown) -> None:
    ledger, service = shown.ledger, shown.service
    subject = shown.subjects[2]
    first, hidden = service.serve(ledger, LENDER, [subject])  # seen, and remembered
    assert first
    assert not hidden
    ledger.append(Event.create(
        agent_key(shown.seed, subject), flow="information", type="consent.revoked",
        actor=subject, payload={"consent_id": f"c-{subject}-{LENDER.participant_id}",
                                "subject": subject},
        occurred_at=ledger.clock.now(), subjects=[LENDER.participant_id],
    ))  # fmt: skip
    size, logged = ledger.size(), len(_access_rows(ledger))
    for _ in range(2):  # the remembered consent, checked again by the write; then read
        assert service.serve(ledger, LENDER, [subject]) == ([], [subject])
    assert ledger.size() == size  # nothing shown, nothing recorded
    assert len(_access_rows(ledger)) == logged


def test_a_score_carried_to_a_newer_checkpoint_is_the_score_computed_there(
    shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger, service, subject = shown.ledger, shown.service, shown.subjects[0]
    service.serve(ledger, LENDER, [subject])  # recorded: the tree grows, no trade
    ledger.checkpoint()
    size = ledger.latest_checkpoint_size()
    computed: list[Any] = []
    real = service_module.compute

    def counting(*args: Any, **kwargs: Any) -> Any:
        computed.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, "compute", counting)
    keys = ("score", "pd", "pd_ppm", "grade", "reasons", "reasons_hash", "as_of", "checkpoint")
    carried = service.serve(ledger, LENDER, [subject])[0][0]
    assert not computed  # carried, not computed again
    again = shown.scorer.score(ledger, [subject], size)[0]
    assert carried["checkpoint"]["tree_size"] == size
    assert {k: carried[k] for k in keys} == {k: again[k] for k in keys}

    # an entry the feature pass reads (a registration) since: computed afresh
    newcomer = "seller-990001"
    ledger.register_participant(newcomer, "Newcomer", ["seller"], "DE",
                                agent_key(shown.seed, newcomer).public_key,
                                ledger.clock.now())  # fmt: skip
    ledger.checkpoint()
    newer = ledger.latest_checkpoint_size()
    fresh = service.serve(ledger, LENDER, [subject])[0][0]
    assert computed
    again = shown.scorer.score(ledger, [subject], newer)[0]
    assert fresh["checkpoint"]["tree_size"] == newer
    assert {k: fresh[k] for k in keys} == {k: again[k] for k in keys}


def test_a_refused_batch_answers_each_request_as_it_would_alone(
    shown: Shown, batches: list[int]
) -> None:
    ledger = shown.ledger
    wrong = CreditService(shown.scorer, SCORER, agent_key(shown.seed, "not-the-scorer"))
    size, logged = ledger.size(), len(_access_rows(ledger))
    with pytest.raises(LedgerError) as alone:
        wrong.serve(ledger, LENDER, [shown.subjects[0]])
    errors: list[LedgerError] = []

    def one(subject: str) -> None:
        try:
            wrong.serve(ledger, LENDER, [subject])
        except LedgerError as exc:
            errors.append(exc)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, [shown.subjects[i % 2] for i in range(16)]))
    assert len(errors) == 16
    assert max(batches) > 1  # refused together, then written one by one
    assert {(e.code, e.detail, e.field) for e in errors} == {
        (alone.value.code, alone.value.detail, alone.value.field)
    }
    assert "events[" not in alone.value.detail
    assert ledger.size() == size  # nothing recorded, no read logged
    assert len(_access_rows(ledger)) == logged


def test_a_score_in_memory_is_shown_only_under_a_consent_the_write_finds(
    shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop's path (``start_remembered``) takes a computed score from memory for any
    reader, without reading its consent: the write reads it, signs and records the score
    of a reader who has one, and shows, signs, records and logs nothing for one who has
    not, even in the same batch."""
    ledger, service, subject = shown.ledger, shown.service, shown.subjects[0]
    ledger.checkpoint()
    service.serve(ledger, LENDER, [subject])  # computed at the newest checkpoint
    stranger = Caller("lender-0003", frozenset({"lender"}))  # no consent from the subject
    newcomer = Caller("lender-0004", frozenset({"lender"}))
    grant_score_consent(ledger, shown.seed, subject, newcomer.participant_id)
    signed: list[int] = []
    real = ledger.prepare_signed

    def counting(key: Any, drafts: Any, **kwargs: Any) -> Any:
        signed.append(len(drafts))
        return real(key, drafts, **kwargs)

    monkeypatch.setattr(ledger, "prepare_signed", counting)
    # the writer waits at its first batch until the three requests below are queued
    gate, batches, real_write = threading.Event(), [], score_commit._write

    def gated(commits: Any, batch: list[Any]) -> None:
        gate.wait(10)
        batches.append(len(batch))
        real_write(commits, batch)

    monkeypatch.setattr(score_commit, "_write", gated)
    size, logged = ledger.size(), len(_access_rows(ledger))
    # the lender's repeat, the stranger's and the newcomer's first sights
    servings = [service.start_remembered(ledger, c, subject) for c in (LENDER, stranger, newcomer)]
    gate.set()
    assert all(s is not None for s in servings)  # none read the database
    _, refused, recorded = (s.finish() for s in servings if s is not None)
    assert sum(batches) == 3
    assert max(batches) >= 2  # the stranger and the newcomer written together
    assert refused == ([], [subject])  # answered as if the subject did not exist
    [score], hidden = recorded
    assert not hidden
    assert signed == [1]  # the stranger's record was never signed
    assert ledger.size() == size + 1
    assert score["recorded_seq"] == size
    entry = ledger.entry(size).event
    assert (entry.type, entry.payload["recipient"]) == ("credit.score_issued", "lender-0004")
    rows = _access_rows(ledger)[logged:]
    assert [(r.reader, r.consent_id) for r in rows] == [
        (LENDER.participant_id, f"c-{subject}-{LENDER.participant_id}"),
        ("lender-0004", f"c-{subject}-lender-0004"),
    ]
    # not computed yet at a newer checkpoint: not from memory (the route's full way reads
    # the consent first, so nothing is computed for a reader who may not see it)
    ledger.register_participant("seller-990002", "Newcomer", ["seller"], "DE",
                                agent_key(shown.seed, "seller-990002").public_key,
                                ledger.clock.now())  # fmt: skip
    ledger.checkpoint()
    assert service.start_remembered(ledger, stranger, subject) is None
