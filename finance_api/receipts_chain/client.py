"""The typed client of ``WarehouseReceiptRegistry``: one pledge at a time, for every lender.

The registry is shared by all lenders, so a receipt pledged through one of them cannot be
pledged again through another. Its reverts are finance errors
(:mod:`finance_api.receipts_chain.errors`, imported here so they decode to their classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from finance_api.receipts_chain import errors as _errors  # noqa: F401  (registers the reverts)
from ledger.anchoring.chain import Sender, TxOptions
from ledger.anchoring.contract import ContractClient, address, bytes32

RECEIPT_REGISTRY = "WarehouseReceiptRegistry"


class ReceiptStatus(IntEnum):
    """Mirror of ``WarehouseReceiptRegistry.Status`` (``None`` is never returned)."""

    REGISTERED = 1
    PLEDGED = 2
    CANCELLED = 3


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """A warehouse receipt as the registry stores it; ``pledgee`` is None when free."""

    document_hash: bytes
    warehouse: ChecksumAddress
    status: ReceiptStatus
    holder: ChecksumAddress
    pledgee: ChecksumAddress | None


class ReceiptRegistryClient(ContractClient):
    """``WarehouseReceiptRegistry``: one pledge at a time, shared by every lender."""

    ARTIFACT = RECEIPT_REGISTRY

    def admit_warehouse(
        self, warehouse: str, *, sender: Sender, options: TxOptions = TxOptions()
    ) -> bytes:
        """Lets ``warehouse`` register receipts (owner only)."""
        return self._send("admitWarehouse", [address(warehouse, "warehouse")], sender, options)

    def is_warehouse(self, account: str) -> bool:
        """Whether ``account`` is an admitted warehouse."""
        return bool(self._call("isWarehouse", address(account, "account")))

    def register(
        self,
        document_hash: bytes,
        holder: str,
        *,
        sender: Sender,
        options: TxOptions = TxOptions(),
    ) -> bytes:
        """Registers a receipt for ``holder``; ``sender`` must be an admitted warehouse."""
        args = [bytes32(document_hash, "document_hash"), address(holder, "holder")]
        return self._send("register", args, sender, options)

    def pledge(
        self,
        document_hash: bytes,
        pledgee: str,
        *,
        sender: Sender,
        options: TxOptions = TxOptions(),
    ) -> bytes:
        """Pledges the receipt to the lender ``pledgee``; ``sender`` must be its holder."""
        args = [bytes32(document_hash, "document_hash"), address(pledgee, "pledgee")]
        return self._send("pledge", args, sender, options)

    def release(
        self, document_hash: bytes, *, sender: Sender, options: TxOptions = TxOptions()
    ) -> bytes:
        """Releases the pledge; ``sender`` must be the pledgee."""
        return self._send("release", [bytes32(document_hash, "document_hash")], sender, options)

    def cancel(
        self, document_hash: bytes, *, sender: Sender, options: TxOptions = TxOptions()
    ) -> bytes:
        """Cancels an unpledged receipt; ``sender`` must be the issuing warehouse."""
        return self._send("cancel", [bytes32(document_hash, "document_hash")], sender, options)

    def get(self, document_hash: bytes) -> ReceiptRecord:
        """The receipt under ``document_hash``; raises ``UnknownReceipt`` if none."""
        key = bytes32(document_hash, "document_hash")
        warehouse, status, holder, pledgee = self._call("getReceipt", key)
        pledged = to_checksum_address(pledgee)
        return ReceiptRecord(
            document_hash=key,
            warehouse=to_checksum_address(warehouse),
            status=ReceiptStatus(int(status)),
            holder=to_checksum_address(holder),
            pledgee=None if int(pledged, 16) == 0 else pledged,
        )
