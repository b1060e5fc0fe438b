"""Rows by composite key: exactly the keys asked, from the key's index, on both backends.

``Keyed`` narrows by each column's own values (a superset: (a1, b2) matches when
(a1, b1) and (a2, b2) are asked) and must return only the rows whose whole key was asked;
``KeyedDelete`` must delete exactly those. On SQLite the read must seek the key's index:
the row-value ``IN`` it replaced walked the whole table on every batch.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from finance_api.lending.keyed import Keyed, KeyedDelete
from finance_api.lending.score_tables import ShownScore
from ledger.log import Ledger

KEY = (ShownScore.recipient, ShownScore.subject)
PAIRS = [(f"lender-{i}", f"firm-{j}") for i in range(4) for j in range(5)]


def _row(recipient: str, subject: str) -> dict[str, object]:
    return {"recipient": recipient, "subject": subject, "score_id": f"s-{recipient}-{subject}",
            "score": 600, "pd_ppm": 1000, "grade": "A", "model_version": "m1", "tree_size": 9,
            "root_hash": "00" * 32, "seq": 1}  # fmt: skip


@pytest.fixture
def scores(ledger: Ledger) -> Ledger:
    with ledger.unit_of_work() as uow:
        uow.connection.execute(insert(ShownScore), [_row(r, s) for r, s in PAIRS])
        uow.commit()
    return ledger


def _stored(ledger: Ledger) -> set[tuple[str, str]]:
    with ledger.reading() as connection:
        return {(r, s) for r, s in connection.execute(select(*KEY))}


def test_only_the_rows_of_the_keys_asked_come_back(scores: Ledger) -> None:
    asked = {("lender-0", "firm-1"), ("lender-2", "firm-3"), ("lender-9", "firm-1")}
    with scores.reading() as connection:
        rows = list(Keyed(select(*KEY, ShownScore.score), KEY).rows(connection, asked))
        assert {(r, s) for r, s, _ in rows} == {("lender-0", "firm-1"), ("lender-2", "firm-3")}
        assert all(score == 600 for *_, score in rows)
        assert list(Keyed(select(*KEY), KEY).rows(connection, set())) == []


def test_exactly_the_keys_given_are_deleted(scores: Ledger) -> None:
    gone = [("lender-0", "firm-1"), ("lender-2", "firm-3")]
    with scores.unit_of_work() as uow:
        KeyedDelete(ShownScore, ("recipient", "subject")).run(uow.connection, gone)
        KeyedDelete(ShownScore, ("recipient", "subject")).run(uow.connection, [])
        uow.commit()
    assert _stored(scores) == set(PAIRS) - set(gone)


def test_the_read_can_seek_the_key_index(scores: Ledger) -> None:
    """SQLite must plan a SEARCH, not a SCAN; PostgreSQL (its sequential scan forbidden, as
    on a table this small it would pick it) must find an index that answers it."""
    keyed = Keyed(select(*KEY), KEY)
    params = keyed.params([("lender-0", "firm-1"), ("lender-2", "firm-3")])
    with scores.reading() as connection:
        sql = keyed.stmt.params(params).compile(connection, compile_kwargs={"literal_binds": True})
        if scores.engines.is_sqlite:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(r[-1]) for r in rows)
            assert "SEARCH lending_scores" in plan, plan
            assert "SCAN lending_scores" not in plan, plan
            return
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = " ".join(str(r[0]) for r in connection.exec_driver_sql(f"EXPLAIN {sql}"))
    assert "Index" in plan, plan
    assert "Seq Scan" not in plan, plan
