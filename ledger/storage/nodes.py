"""Merkle node reads from the database: one query per proof, whatever its size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, and_, or_, select

from ledger.merkle.nodes import NodeId
from ledger.storage.models import Entry, MerkleNode


class SqlNodeReader:
    """Serves level-0 nodes from ``entries.leaf_hash`` and the rest from ``merkle_nodes``."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        found: dict[NodeId, bytes] = {}
        leaves = [node.index for node in ids if node.level == 0]
        inner = [(node.level, node.index) for node in ids if node.level > 0]
        if leaves:
            rows = self._connection.execute(
                select(Entry.seq, Entry.leaf_hash).where(Entry.seq.in_(leaves))
            )
            found.update({NodeId(0, row.seq): row.leaf_hash for row in rows})
        if inner:
            # One condition per level (level = L AND idx IN (...)): SQLite does not use the
            # primary key for a row-value IN, and a proof touches only O(log n) levels.
            by_level: dict[int, list[int]] = {}
            for level, idx in inner:
                by_level.setdefault(level, []).append(idx)
            rows = self._connection.execute(
                select(MerkleNode.level, MerkleNode.idx, MerkleNode.hash).where(
                    or_(
                        *(
                            and_(MerkleNode.level == level, MerkleNode.idx.in_(idxs))
                            for level, idxs in by_level.items()
                        )
                    )
                )
            )
            found.update({NodeId(row.level, row.idx): row.hash for row in rows})
        return found
