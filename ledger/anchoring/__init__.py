"""Anchoring: the ledger's checkpoints on Ethereum, and the chain plumbing beneath them.

Checkpoints are anchored in ``LedgerAnchor`` so nobody, the operator included, can later
rewrite history unnoticed. The feature keeps its own table (:mod:`.tables`, behind
:mod:`.store`), sends and settles anchors through reorganisations (:mod:`.service`,
:mod:`.loop`), verifies a ledger against them (:mod:`.verify`, :mod:`.audit`), and serves
them to auditors (:mod:`.routes`) and operators (:mod:`.cli`). Beneath it lies generic chain
plumbing other features reuse for their own contracts: a node connection with typed
failures (:mod:`.chain`), contract clients (:mod:`.contract`), compiled artifacts, and
reverts decoded into named errors (:mod:`.errors`, :mod:`.decoder`). The ledger imports no
feature built on top of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# web3 takes seconds to import: load the client only when a name from it is used, so the
# ledger core (bundles, verification) stays fast to start.
_WHERE = {
    "Artifact": "ledger.anchoring.artifacts",
    "load_artifact": "ledger.anchoring.artifacts",
    "Chain": "ledger.anchoring.chain",
    "Sender": "ledger.anchoring.chain",
    "TxOptions": "ledger.anchoring.chain",
    "TxOutcome": "ledger.anchoring.chain",
    "AnchorRecord": "ledger.anchoring.anchor_client",
    "LedgerAnchorClient": "ledger.anchoring.anchor_client",
    "ContractClient": "ledger.anchoring.contract",
    "ContractEvent": "ledger.anchoring.contract",
    "BadChainInput": "ledger.anchoring.errors",
    "ChainError": "ledger.anchoring.errors",
    "ChainUnavailable": "ledger.anchoring.errors",
    "ConfirmationTimeout": "ledger.anchoring.errors",
    "CouldNotCheck": "ledger.anchoring.errors",
    "NothingChecked": "ledger.anchoring.errors",
    "ContractRevert": "ledger.anchoring.errors",
    "TransactionRejected": "ledger.anchoring.errors",
    "TransactionReverted": "ledger.anchoring.errors",
}

if TYPE_CHECKING:
    from ledger.anchoring.anchor_client import AnchorRecord, LedgerAnchorClient
    from ledger.anchoring.artifacts import Artifact, load_artifact
    from ledger.anchoring.chain import Chain, Sender, TxOptions, TxOutcome
    from ledger.anchoring.contract import ContractClient, ContractEvent
    from ledger.anchoring.errors import (
        BadChainInput,
        ChainError,
        ChainUnavailable,
        ConfirmationTimeout,
        ContractRevert,
        CouldNotCheck,
        NothingChecked,
        TransactionRejected,
        TransactionReverted,
    )

__all__ = [
    "AnchorRecord",
    "Artifact",
    "BadChainInput",
    "Chain",
    "ChainError",
    "ChainUnavailable",
    "ConfirmationTimeout",
    "ContractClient",
    "ContractEvent",
    "ContractRevert",
    "CouldNotCheck",
    "LedgerAnchorClient",
    "NothingChecked",
    "Sender",
    "TransactionRejected",
    "TransactionReverted",
    "TxOptions",
    "TxOutcome",
    "load_artifact",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
