"""The unit of work and its projections, on SQLite and PostgreSQL.

A projector that refuses an event undoes the whole append: entries, index rows, Merkle
nodes, the head, the registry and every projection are exactly as they were. A feature's
own writes commit with its appends or not at all. A ledger built with a projection cannot
be written by a process without it, and verification compares every projection with a
replay of the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, create_engine, insert
from sqlalchemy import select as sql_select

from ledger.audit.database import verify_database
from ledger.core.entry import LedgerEntry
from ledger.core.errors import Conflict, LedgerError, VerificationFailed
from ledger.log import Ledger
from ledger.storage.db import normalise_url
from ledger.storage.models import Base as LedgerBase
from ledger.storage.projections import ProjectionMissing
from tests.ledger.scenario import (
    LEDGER_KEY,
    NEVER,
    SELLER,
    accepted_batch,
    key_for,
    open_ledger,
    order_accepted,
)
from tests.ledger.scenario import T0 as START

_META = MetaData()
ACCEPTED = Table(
    "test_accepted_orders",
    _META,
    Column("order_id", String(200), primary_key=True),
    Column("seq", Integer, nullable=False),
)
NOTES = Table("test_feature_notes", _META, Column("note", String(50), primary_key=True))


class OrderBook:
    """A projector of ``order.accepted`` that refuses an order accepted twice or 'refuse-me'."""

    name = "test.order_book"
    version = 1
    order = 10
    event_types = frozenset({"order.accepted"})
    tables = (ACCEPTED,)

    def apply(self, connection: Connection, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:
            order_id = str(entry.event.payload["order_id"])
            if order_id.endswith("refuse-me"):
                raise Conflict(f"order {order_id} refused by the order book", seq=entry.seq)
            known = connection.execute(
                sql_select(ACCEPTED.c.seq).where(ACCEPTED.c.order_id == order_id)
            ).first()
            if known is not None:
                raise Conflict(f"order {order_id} was accepted at entry {known.seq}")
            connection.execute(insert(ACCEPTED).values(order_id=order_id, seq=entry.seq))


def _prepare_tables(url: str) -> None:
    engine = create_engine(normalise_url(url))
    _META.create_all(engine)
    engine.dispose()


@pytest.fixture
def booked(ledger_url: str) -> Any:
    _prepare_tables(ledger_url)
    ledger = Ledger.open(
        ledger_url, ledger_key=LEDGER_KEY, policy=NEVER, extra_projectors=[OrderBook()]
    )
    ledger.register_participant(SELLER, "Seller", ["seller"], "CN", key_for(SELLER).public_key,
                                START)  # fmt: skip
    yield ledger
    ledger.close()


def _dump(ledger: Ledger) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the database, row by row, in a stable order."""
    tables = [*LedgerBase.metadata.sorted_tables, ACCEPTED, NOTES]
    out = {}
    with ledger.engines.read.connect() as connection:
        for table in tables:
            rows = connection.execute(sql_select(table)).all()
            out[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return out


def test_a_refusing_projector_undoes_the_whole_batch(booked: Ledger) -> None:
    booked.append_batch(accepted_batch(SELLER, "before", 3))
    before = _dump(booked)
    batch = [*accepted_batch(SELLER, "ok", 2), order_accepted(SELLER, "refuse-me")]

    with pytest.raises(Conflict, match="refused by the order book"):
        booked.append_batch(batch)

    assert _dump(booked) == before
    assert len(before["test_accepted_orders"]) == 3


def test_a_projector_refusal_against_state_undoes_the_append(booked: Ledger) -> None:
    booked.append(order_accepted(SELLER, "once", payload={"order_id": "o-1", "seller": SELLER}))
    before = _dump(booked)

    with pytest.raises(Conflict, match="was accepted at entry"):
        booked.append(
            order_accepted(SELLER, "twice", payload={"order_id": "o-1", "seller": SELLER})
        )

    assert _dump(booked) == before
    assert booked.size() == before["ledger_head"][0][3]


def test_a_feature_write_commits_with_its_append_or_not_at_all(booked: Ledger) -> None:
    before = _dump(booked)
    with booked.unit_of_work() as uow:
        uow.append(accepted_batch(SELLER, "uow", 2))
        uow.connection.execute(insert(NOTES).values(note="written"))
        # leaving without commit rolls back both
    assert _dump(booked) == before

    with booked.unit_of_work() as uow:
        entries = uow.append(accepted_batch(SELLER, "uow", 2))
        uow.connection.execute(insert(NOTES).values(note="written"))
        uow.commit()
    after = _dump(booked)
    assert after["test_feature_notes"] == [("written",)]
    assert {row[0] for row in after["test_accepted_orders"]} >= {"order-uow-0", "order-uow-1"}
    assert booked.size() == entries[-1].seq + 1


def test_two_appends_in_one_unit_chain_and_project(booked: Ledger) -> None:
    size = booked.size()
    with booked.unit_of_work() as uow:
        first = uow.append(accepted_batch(SELLER, "one", 2))
        second = uow.append(accepted_batch(SELLER, "two", 2))
        uow.commit()
    assert [e.seq for e in [*first, *second]] == list(range(size, size + 4))
    report = verify_database(booked.engines.url, extra_projectors=[OrderBook()])
    assert report.projections["test.order_book"] >= 4


def test_verify_replays_projections_and_catches_a_forged_row(booked: Ledger) -> None:
    booked.append_batch(accepted_batch(SELLER, "v", 3))
    assert (
        verify_database(booked.engines.url, extra_projectors=[OrderBook()]).projections[
            "test.order_book"
        ]
        == 3
    )
    with booked.engines.write.begin() as connection:
        connection.execute(insert(ACCEPTED).values(order_id="order-nobody-made", seq=1))

    with pytest.raises(VerificationFailed, match="holds a row no entry made"):
        verify_database(booked.engines.url, extra_projectors=[OrderBook()])


def test_a_process_without_a_projection_may_not_write(booked: Ledger) -> None:
    url = booked.engines.url
    with pytest.raises(ProjectionMissing, match=r"test\.order_book"):
        open_ledger(url)
    with Ledger.open(url, read_only=True) as reader:  # readers need no projector
        assert reader.size() == booked.size()


def test_a_projection_new_to_a_ledger_is_built_from_the_log(ledger_url: str) -> None:
    with open_ledger(ledger_url) as plain:
        plain.register_participant(SELLER, "Seller", ["seller"], "CN",
                                   key_for(SELLER).public_key, START)  # fmt: skip
        plain.append_batch(accepted_batch(SELLER, "early", 4))
    _prepare_tables(ledger_url)
    with Ledger.open(
        ledger_url, ledger_key=LEDGER_KEY, policy=NEVER, extra_projectors=[OrderBook()]
    ) as booked:
        rows = _dump(booked)["test_accepted_orders"]
    assert sorted(row[0] for row in rows) == [f"order-early-{n}" for n in range(4)]


def test_building_a_projection_refuses_a_log_it_would_refuse(ledger_url: str) -> None:
    with open_ledger(ledger_url) as plain:
        plain.register_participant(SELLER, "Seller", ["seller"], "CN",
                                   key_for(SELLER).public_key, START)  # fmt: skip
        plain.append(order_accepted(SELLER, "a", payload={"order_id": "dup", "seller": SELLER}))
        plain.append(order_accepted(SELLER, "b", payload={"order_id": "dup", "seller": SELLER}))
    _prepare_tables(ledger_url)
    with pytest.raises(LedgerError, match="was accepted at entry"):
        Ledger.open(ledger_url, ledger_key=LEDGER_KEY, extra_projectors=[OrderBook()])
