"""RFC 9162 Merkle tree maths for the ledger: node ids, appends, proof plans, verifiers.

Pure logic only. Storage supplies complete-subtree hashes through :class:`NodeReader`;
everything here is index arithmetic and SHA-256, so it is tested exhaustively and fast.
"""

from ledger.core.merkle.append import Frontier, completed_nodes
from ledger.core.merkle.nodes import MemoryNodes, NodeId, NodeReader
from ledger.core.merkle.proof import (
    ProofPlan,
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
    root_at,
    root_plan,
)
from ledger.core.merkle.verify import (
    RootMismatch,
    root_from_leaf_hashes,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "Frontier",
    "MemoryNodes",
    "NodeId",
    "NodeReader",
    "ProofPlan",
    "RootMismatch",
    "completed_nodes",
    "consistency_plan",
    "consistency_proof",
    "inclusion_plan",
    "inclusion_proof",
    "root_at",
    "root_from_leaf_hashes",
    "root_from_leaves",
    "root_plan",
    "verify_consistency",
    "verify_inclusion",
]
