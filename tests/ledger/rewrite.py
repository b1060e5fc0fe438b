"""Raw access to a ledger's tables, for tests that play the attacker with write access.

Nothing here goes through :mod:`ledger`'s hashing or Merkle code: a forger who rewrites
history recomputes the hashes with :mod:`tests.ledger.oracle` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, create_engine, delete, insert, select, update
from sqlalchemy.pool import NullPool

from ledger.storage.db import normalise_url
from ledger.storage.models import Checkpoint, Entry, LedgerHead, MerkleNode
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

        Leaf hashes, the chain, every stored subtree hash and the head are made consistent
        again, exactly as a forger with database access would; only signed checkpoints
        (and signatures, when the new ones are not the actor's) can tell.
        """
        rows = self.entries()
        bodies = [changes.get(row.seq, (row.canonical, row.signature)) for row in rows]
        leaves = [oracle.leaf(canonical, signature) for canonical, signature in bodies]
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
        self.execute(*statements)
