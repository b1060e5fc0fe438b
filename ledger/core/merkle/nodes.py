"""Names for the nodes of an RFC 9162 Merkle tree, and the one way storage hands them out.

Proof maths only ever needs the hashes of *complete* subtrees: a node ``(level, index)``
covers the ``2**level`` leaves ``[index * 2**level, (index + 1) * 2**level)`` and its hash
never changes once the tree has grown past it. Storage therefore keeps exactly these
hashes and serves them by id through :class:`NodeReader`; everything that involves an
incomplete right-border node is recomputed on the fly by the planner in ``proof.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ledger.core.errors import ProofError


@dataclass(frozen=True, slots=True, order=True)
class NodeId:
    """The complete subtree of ``2**level`` leaves starting at leaf ``index * 2**level``.

    Level 0 nodes are leaf hashes; ``NodeId(0, i)`` is the leaf hash of entry ``i``.
    """

    level: int
    index: int

    def __post_init__(self) -> None:
        # exact type checks: cheap on the hot path, and they refuse bools and floats
        if type(self.level) is not int or type(self.index) is not int:
            raise ProofError(
                f"node level and index must be ints, got {self.level!r}, {self.index!r}"
            )
        if self.level < 0 or self.index < 0:
            raise ProofError(f"node level and index must be >= 0, got {self.level}, {self.index}")

    @property
    def start(self) -> int:
        """First leaf covered."""
        return self.index << self.level

    @property
    def end(self) -> int:
        """One past the last leaf covered."""
        return (self.index + 1) << self.level

    def __repr__(self) -> str:
        return f"NodeId({self.level}, {self.index})"


class NodeReader(Protocol):
    """Where the proof maths reads complete-subtree hashes from.

    One call receives every id a proof needs, so a SQL backend answers with a single
    query. Ids that are not stored are simply absent from the result; the caller decides
    whether that is an error.
    """

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]: ...


class MemoryNodes:
    """A dict-backed :class:`NodeReader`: for tests, benchmarks and offline rebuilds.

    An offline verifier that holds every leaf of a bundle can push them through a
    :class:`~ledger.merkle.append.Frontier`, store the completed nodes here, and answer
    proofs without a database.
    """

    __slots__ = ("_nodes",)

    def __init__(self, nodes: Iterable[tuple[NodeId, bytes]] = ()) -> None:
        self._nodes: dict[NodeId, bytes] = dict(nodes)

    def put(self, nodes: Iterable[tuple[NodeId, bytes]]) -> None:
        """Store node hashes; a node's hash never changes, so a conflicting write raises."""
        for node, digest in nodes:
            known = self._nodes.setdefault(node, digest)
            if known != digest:
                raise ProofError(f"{node!r} already stored with a different hash")

    def get_nodes(self, ids: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        found = self._nodes
        return {node: found[node] for node in ids if node in found}

    def __len__(self) -> int:
        return len(self._nodes)
