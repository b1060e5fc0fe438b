"""Raw access to a ledger's tables, for tests that play the attacker with write access.

Also :class:`Snapshot`, which puts a ledger's tables back as they were between tests.

Nothing here goes through :mod:`ledger`'s hashing or Merkle code: a forger who rewrites
history recomputes the hashes with :mod:`tests.ledger.oracle` instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import rfc8785
from sqlalchemy import Row, Table, create_engine, delete, insert, select, update
from sqlalchemy.pool import NullPool

from ledger.core.events import Event
from ledger.storage.db import normalise_url
from ledger.storage.models import (
    ApiKey,
    Checkpoint,
    Entry,
    EntryRef,
    LedgerHead,
    MerkleNode,
    Participant,
    ParticipantKey,
)
from tests.ledger import oracle


class Raw:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(normalise_url(url), poolclass=NullPool)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ---------------------------------------------------------------------
    def entries(self) -> list[Row[Any]]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(Entry.__table__).order_by(Entry.seq)))

    def entry(self, seq: int) -> Row[Any]:
        with self.engine.connect() as connection:
            return connection.execute(select(Entry.__table__).where(Entry.seq == seq)).one()

    def head(self) -> Row[Any]:
        with self.engine.connect() as connection:
            return connection.execute(select(LedgerHead.__table__)).one()

    def nodes(self) -> dict[tuple[int, int], bytes]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(MerkleNode.level, MerkleNode.idx, MerkleNode.hash))
            return {(level, idx): digest for level, idx, digest in rows}

    def checkpoint_notes(self) -> dict[int, str]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(Checkpoint.tree_size, Checkpoint.note))
            return {size: note for size, note in rows}

    # -- writing (what the ledger itself never does) -----------------------------------
    def execute(self, *statements: Any) -> None:
        with self.engine.begin() as connection:
            for statement in statements:
                connection.execute(statement)

    def update_entry(self, seq: int, **values: Any) -> None:
        self.execute(update(Entry).where(Entry.seq == seq).values(**values))

    def rewrite(self, changes: Mapping[int, tuple[bytes, bytes]]) -> None:
        """Replace (canonical, signature) of some entries and recompute every hash after.

        Leaf hashes, the chain, every stored subtree hash, the query columns, the
        participant and item index and the head are made consistent again, exactly as a
        forger with database access would; only signed checkpoints (and signatures, when
        the new ones are not the actor's) can tell.
        """
        rows = self.entries()
        changed = {seq: Event.from_canonical(*body) for seq, body in changes.items()}
        index: list[Any] = [
            update(Entry).where(Entry.seq == seq).values(event_id=f"moving-{seq}")
            for seq in changed
        ]
        for seq, event in changed.items():
            index.append(
                update(Entry)
                .where(Entry.seq == seq)
                .values(
                    event_id=event.id,
                    flow=event.flow,
                    type=event.type,
                    actor=event.actor,
                    key_id=event.key_id,
                    occurred_at=event.occurred_at,
                )
            )
            index.append(delete(EntryRef).where(EntryRef.seq == seq))
            refs = {(event.actor, "actor")} | {(s, "subject") for s in event.subjects}
            index.append(
                insert(EntryRef).values([{"ref": r, "seq": seq, "role": role} for r, role in refs])
            )
        bodies = [changes.get(row.seq, (row.canonical, row.signature)) for row in rows]
        leaves = [
            oracle.leaf_of(row.format, canonical, signature, row.recorded_at)
            for row, (canonical, signature) in zip(rows, bodies, strict=True)
        ]
        chains = oracle.chains(leaves)
        statements: list[Any] = []
        for row, (canonical, signature), leaf_hash, chain_hash in zip(
            rows, bodies, leaves, chains, strict=True
        ):
            if (row.canonical, row.signature, row.leaf_hash, row.chain_hash) != (
                canonical,
                signature,
                leaf_hash,
                chain_hash,
            ):
                statements.append(
                    update(Entry)
                    .where(Entry.seq == row.seq)
                    .values(
                        canonical=canonical,
                        signature=signature,
                        leaf_hash=leaf_hash,
                        chain_hash=chain_hash,
                    )
                )
        statements.append(delete(MerkleNode))
        nodes = [
            {"level": level, "idx": index, "hash": digest}
            for level, index, digest in oracle.complete_subtrees(leaves)
        ]
        if nodes:
            statements.append(insert(MerkleNode).values(nodes))
        statements.append(update(LedgerHead).values(tree_size=len(rows), chain_hash=chains[-1]))
        self.execute(*index, *statements)


def flip_digit(canonical: bytes, field: bytes = b'"amount_minor":') -> bytes:
    """The same bytes with one digit of a payload number changed (still canonical JSON)."""
    at = canonical.index(field) + len(field)
    digit = canonical[at] - ord("0")
    assert 0 < digit <= 9, canonical
    return canonical[:at] + bytes([ord("0") + digit % 9 + 1]) + canonical[at + 1 :]


def resign(canonical: bytes, key: Any, **changes: Any) -> tuple[bytes, bytes]:
    """An event body changed and signed again (by its actor's key, or any other)."""
    body = json.loads(canonical)
    for name, value in changes.items():
        body[name] = value
    new = rfc8785.dumps(body)
    return new, key.sign(new)


# Parents before children (participant_keys and api_keys refer to participants).
LEDGER_TABLES: list[Table] = [
    cast(Table, model.__table__)
    for model in (
        LedgerHead,
        Participant,
        ParticipantKey,
        ApiKey,
        Entry,
        EntryRef,
        MerkleNode,
        Checkpoint,
    )
]


class Snapshot:
    """Every row of a ledger's own tables, to put a database back as it was.

    Creating and dropping a PostgreSQL database per test costs a server checkpoint each;
    tests that tamper with a ledger therefore share one database per module and start
    from this snapshot, restored in one transaction.
    """

    def __init__(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        self._rows = rows

    @classmethod
    def take(cls, url: str) -> Snapshot:
        with Raw(url) as raw, raw.engine.connect() as connection:
            return cls(
                {
                    table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                    for table in LEDGER_TABLES
                }
            )

    def restore(self, url: str) -> None:
        with Raw(url) as raw, raw.engine.begin() as connection:
            for table in reversed(LEDGER_TABLES):
                connection.execute(delete(table))
            for table in LEDGER_TABLES:
                if self._rows[table.name]:
                    connection.execute(insert(table), self._rows[table.name])
