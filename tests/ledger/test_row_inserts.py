"""The append's three inserts, on both backends (``COPY`` on PostgreSQL for many rows,
``executemany`` otherwise): every column as the event and the append made it, and a row
the table refuses failing the whole batch as an ``INSERT`` would, nothing of it written."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from ledger.storage.models import Entry, EntryRef, MerkleNode
from ledger.storage.table_writer import COPY_FROM
from tests.ledger.rewrite import Raw
from tests.ledger.scenario import BUYER, NOW, SELLER, WAREHOUSE, accepted_batch, open_ledger


def test_a_batch_is_stored_column_for_column(registered_url: str) -> None:
    events = accepted_batch(SELLER, "columns", 5, subjects=[BUYER, WAREHOUSE, BUYER])
    with open_ledger(registered_url) as ledger:
        appended = ledger.append_batch(events)
    seqs = [entry.seq for entry in appended]

    with Raw(registered_url) as raw, raw.engine.connect() as connection:
        rows = connection.execute(
            select(Entry.__table__).where(Entry.seq.in_(seqs)).order_by(Entry.seq)
        ).all()
        refs = {
            tuple(row)
            for row in connection.execute(
                select(EntryRef.ref, EntryRef.seq, EntryRef.role).where(EntryRef.seq.in_(seqs))
            )
        }

    assert [
        (r.seq, r.event_id, r.flow, r.type, r.actor, r.key_id, r.occurred_at, r.recorded_at)
        for r in rows
    ] == [
        (a.seq, e.id, e.flow, e.type, e.actor, e.key_id, e.occurred_at, NOW)
        for a, e in zip(appended, events, strict=True)
    ]
    assert [(r.canonical, r.signature, r.leaf_hash, r.chain_hash, r.format) for r in rows] == [
        (e.canonical, e.signature, a.leaf_hash, a.chain_hash, a.format)
        for a, e in zip(appended, events, strict=True)
    ]
    assert refs == {
        (who, seq, role)
        for seq in seqs
        for who, role in ((SELLER, "actor"), (BUYER, "subject"), (WAREHOUSE, "subject"))
    }


@pytest.mark.parametrize("count", [3, 2 * COPY_FROM])  # INSERTs, then COPY on PostgreSQL
def test_a_row_the_table_refuses_fails_the_batch_and_writes_nothing(
    registered_url: str, count: int
) -> None:
    """A Merkle node already there (planted by hand) collides with the batch's own."""
    with open_ledger(registered_url) as ledger:
        size = ledger.size()
        assert size % 2 == 0  # the batch's second leaf completes node (1, size // 2)
        planted = {"level": 1, "idx": size // 2, "hash": bytes(32)}
        with Raw(registered_url) as raw:
            raw.execute(insert(MerkleNode).values(**planted))
            before = (len(raw.entries()), raw.nodes(), raw.head().tree_size)
            events = accepted_batch(SELLER, "refused-row", count)

            with pytest.raises(IntegrityError):
                ledger.append_batch(events)

            assert (len(raw.entries()), raw.nodes(), raw.head().tree_size) == before
            with raw.engine.connect() as connection:
                assert connection.execute(select(EntryRef).where(EntryRef.seq >= size)).all() == []
            raw.execute(
                delete(MerkleNode).where(MerkleNode.level == 1, MerkleNode.idx == size // 2)
            )
        assert [entry.seq for entry in ledger.append_batch(events)] == list(
            range(size, size + count)
        )
