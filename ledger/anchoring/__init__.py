"""Ethereum side of the ledger: the anchor and receipt-registry contracts, from Python.

Checkpoints are anchored in ``LedgerAnchor`` so nobody, the operator included, can later
rewrite history unnoticed; warehouse receipts live in ``WarehouseReceiptRegistry`` so no
two lenders can take the same stock as collateral. This package is the typed client; the
service that stores anchors and watches for reorganisations builds on :class:`Chain`.
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
    "AnchorRecord": "ledger.anchoring.contract",
    "ContractEvent": "ledger.anchoring.contract",
    "LedgerAnchorClient": "ledger.anchoring.contract",
    "ReceiptRecord": "ledger.anchoring.contract",
    "ReceiptRegistryClient": "ledger.anchoring.contract",
    "ReceiptStatus": "ledger.anchoring.contract",
    "BadChainInput": "ledger.anchoring.errors",
    "ChainError": "ledger.anchoring.errors",
    "ChainUnavailable": "ledger.anchoring.errors",
    "ConfirmationTimeout": "ledger.anchoring.errors",
    "ContractRevert": "ledger.anchoring.errors",
    "TransactionRejected": "ledger.anchoring.errors",
    "TransactionReverted": "ledger.anchoring.errors",
}

if TYPE_CHECKING:
    from ledger.anchoring.artifacts import Artifact, load_artifact
    from ledger.anchoring.chain import Chain, Sender, TxOptions, TxOutcome
    from ledger.anchoring.contract import (
        AnchorRecord,
        ContractEvent,
        LedgerAnchorClient,
        ReceiptRecord,
        ReceiptRegistryClient,
        ReceiptStatus,
    )
    from ledger.anchoring.errors import (
        BadChainInput,
        ChainError,
        ChainUnavailable,
        ConfirmationTimeout,
        ContractRevert,
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
    "ContractEvent",
    "ContractRevert",
    "LedgerAnchorClient",
    "ReceiptRecord",
    "ReceiptRegistryClient",
    "ReceiptStatus",
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
