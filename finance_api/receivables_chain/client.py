"""The typed client of ``ReceivableRegistry``: a receivable financed once, for every lender.

Its reverts are lending errors (:mod:`finance_api.receivables_chain.errors`, imported here
so they decode to their classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from finance_api.receivables_chain import errors as _errors  # noqa: F401  (registers reverts)
from ledger.anchoring.chain import Sender, TxOptions
from ledger.anchoring.contract import ContractClient, address, bytes32

RECEIVABLE_REGISTRY = "ReceivableRegistry"


class KeyStatus(IntEnum):
    """Mirror of ``ReceivableRegistry.Status``."""

    NONE = 0
    FINANCED = 1
    DISCHARGED = 2


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A receivable key as the registry stores it; ``lender`` is None when never financed."""

    key: bytes
    lender: ChecksumAddress | None
    status: KeyStatus
    ref: bytes


class ReceivableRegistryClient(ContractClient):
    """``ReceivableRegistry``: one financing per receivable key, ever, shared by lenders."""

    ARTIFACT = RECEIVABLE_REGISTRY

    def finance(self, key: bytes, lender: str, ref: bytes, *, sender: Sender,
                options: TxOptions = TxOptions()) -> bytes:  # fmt: skip
        """Records ``lender``'s financing of ``key`` by the act ``ref``; ``sender`` must be
        that lender."""
        args = [bytes32(key, "key"), address(lender, "lender"), bytes32(ref, "ref")]
        return self._send("finance", args, sender, options)

    def discharge(self, key: bytes, *, sender: Sender, options: TxOptions = TxOptions()) -> bytes:
        """Records that the financing of ``key`` closed; ``sender`` must be its lender."""
        return self._send("discharge", [bytes32(key, "key")], sender, options)

    def get(self, key: bytes) -> KeyRecord:
        lender, status, ref = self._call("getFinancing", bytes32(key, "key"))
        held = to_checksum_address(lender)
        return KeyRecord(bytes(key), None if int(held, 16) == 0 else held,
                         KeyStatus(int(status)), bytes(ref))  # fmt: skip
