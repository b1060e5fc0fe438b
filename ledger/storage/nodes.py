"""Merkle node reads from the database: one query per proof, whatever its size."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, select, tuple_

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
            rows = self._connection.execute(
                select(MerkleNode.level, MerkleNode.idx, MerkleNode.hash).where(
                    tuple_(MerkleNode.level, MerkleNode.idx).in_(inner)
                )
            )
            found.update({NodeId(row.level, row.idx): row.hash for row in rows})
        return found
