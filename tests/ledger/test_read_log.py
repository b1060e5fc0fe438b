"""Reads logged under the consent in force, at once, on SQLite and PostgreSQL.

``log_reads`` must name for each read the consent ``consents_in_force`` names for its pair,
log exactly the reads that have one (in the order asked, with their own time and detail),
and nothing else; on PostgreSQL through the session that does not wait for its flush,
while every other session still does.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from ledger.log import Ledger
from ledger.trust.access import consents_in_force
from ledger.trust.read_log import Read
from ledger.trust.tables import AccessRecord
from tests.ledger.test_consents_in_force import NOW, _consents


def _log(ledger: Ledger) -> list[tuple[object, ...]]:
    with ledger.reading() as connection:
        rows = connection.execute(
            select(AccessRecord.reader, AccessRecord.subject, AccessRecord.resource,
                   AccessRecord.detail, AccessRecord.consent_id, AccessRecord.at)
            .order_by(AccessRecord.id)
        ).all()  # fmt: skip
    return [tuple(row) for row in rows]


def log_reads(ledger: Ledger, reads: list[Read], scope: str, now: datetime) -> list[str | None]:
    return ledger.read_log.log(reads, scope, now)


def test_each_read_is_logged_under_the_consent_its_pair_is_named(ledger: Ledger) -> None:
    _consents(ledger)
    pairs = [("g1", "s1"), ("g1", "s2"), ("g2", "s2"), ("g3", "s1"), ("g1", "s1")]
    reads = [
        Read(g, s, "credit", f"score {i}", NOW - timedelta(seconds=i))
        for i, (g, s) in enumerate(pairs)
    ]
    with ledger.reading() as connection:
        expected = consents_in_force(connection, pairs, "score", NOW)
    named = log_reads(ledger, reads, "score", NOW)
    assert named == ["c-a", None, "c-3", None, "c-a"]
    assert named == [expected.get(pair) for pair in pairs]
    assert _log(ledger) == [
        ("g1", "s1", "credit", "score 0", "c-a", NOW),
        ("g2", "s2", "credit", "score 2", "c-3", NOW - timedelta(seconds=2)),
        ("g1", "s1", "credit", "score 4", "c-a", NOW - timedelta(seconds=4)),
    ]


def test_reads_with_no_consent_in_force_log_nothing(ledger: Ledger) -> None:
    _consents(ledger)
    reads = [Read("g1", "s1", "credit", "x", NOW), Read("g2", "s2", "credit", "y", NOW)]
    assert log_reads(ledger, reads, "reports", NOW) == [None, None]
    assert log_reads(ledger, reads, "score", NOW + timedelta(days=31)) == [None, None]
    assert log_reads(ledger, [], "score", NOW) == []
    assert _log(ledger) == []


def test_a_long_detail_is_cut_as_the_log_keeps_it(ledger: Ledger) -> None:
    _consents(ledger)
    log_reads(ledger, [Read("g1", "s1", "credit", "d" * 1500, NOW)], "score", NOW)
    assert _log(ledger)[0][3] == "d" * 1000


def test_only_the_log_session_commits_without_waiting_for_its_flush(ledger: Ledger) -> None:
    engines = ledger.engines
    if engines.is_sqlite:  # one commit mode there: WAL, synchronous=NORMAL (1)
        assert engines.unflushed is None
        assert ledger.read_log.engine is engines.write  # in a write transaction
        with engines.write.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1
        return
    assert engines.unflushed is not None
    with engines.unflushed.connect() as connection:
        assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
    assert ledger.read_log.engine is engines.unflushed  # the access log's rows go there
    with engines.write.connect() as connection:
        assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    with ledger.unit_of_work() as uow:
        assert uow.connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
