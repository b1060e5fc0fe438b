"""Ethereum side of the ledger: the anchor and receipt-registry contracts, from Python.

Checkpoints are anchored in ``LedgerAnchor`` so nobody, the operator included, can later
rewrite history unnoticed; warehouse receipts live in ``WarehouseReceiptRegistry`` so no
two lenders can take the same stock as collateral. This package is the typed client; the
service that stores anchors and watches for reorganisations builds on :class:`Chain`.
"""

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
