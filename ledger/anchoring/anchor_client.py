"""Typed clients of the anchor contracts: one anchorer per ledger, tree sizes only grow.

:class:`AnchorContractClient` is what the service and the verifiers use: the calls both
contract versions share (``setAnchorer``, ``anchor``, ``anchorerOf``) and one way to read
what a contract holds for a ledger, :meth:`~AnchorContractClient.records`. ``LedgerAnchor``
(v1, :class:`LedgerAnchorClient`) reads them from storage; ``LedgerAnchorV2`` reads and
re-chains its events (:mod:`ledger.anchoring.anchor_v2_client`). Which one an address
holds: :func:`ledger.anchoring.anchor_versions.open_anchor_client`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from ledger.anchoring.artifacts import LEDGER_ANCHOR
from ledger.anchoring.chain import Sender, TxOptions
from ledger.anchoring.contract import ContractClient, address, bytes32
from ledger.anchoring.errors import BadChainInput, NoAnchor

UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    """An anchor as the contract holds it (v2 keeps no timestamp: None there)."""

    index: int
    tree_size: int
    root: bytes
    block_number: int
    timestamp: int | None


class AnchorContractClient(ContractClient):
    """What every anchor contract version answers; subclasses say how they read anchors."""

    VERSION: ClassVar[int]

    def set_anchorer(
        self, ledger_id: bytes, anchorer: str, *, sender: Sender, options: TxOptions = TxOptions()
    ) -> bytes:
        """Makes ``anchorer`` the one address allowed to anchor ``ledger_id`` (owner only)."""
        args = [bytes32(ledger_id, "ledger_id"), address(anchorer, "anchorer")]
        return self._send("setAnchorer", args, sender, options)

    def anchor(
        self,
        ledger_id: bytes,
        tree_size: int,
        root: bytes,
        *,
        sender: Sender,
        options: TxOptions = TxOptions(),
    ) -> bytes:
        """Anchors ``root`` at ``tree_size``; returns the transaction hash without waiting."""
        if isinstance(tree_size, bool) or not isinstance(tree_size, int):
            raise BadChainInput("tree_size must be an integer", field="tree_size")
        if not 1 <= tree_size <= UINT64_MAX:
            raise BadChainInput(f"tree_size {tree_size} outside 1..2**64-1", field="tree_size")
        args = [bytes32(ledger_id, "ledger_id"), tree_size, bytes32(root, "root")]
        return self._send("anchor", args, sender, options)

    def anchorer_of(self, ledger_id: bytes) -> ChecksumAddress | None:
        """The anchorer of ``ledger_id``, or None if none is set."""
        found = to_checksum_address(self._call("anchorerOf", bytes32(ledger_id, "ledger_id")))
        return None if int(found, 16) == 0 else found

    def records(self, ledger_id: bytes) -> list[AnchorRecord]:
        """Every anchor of ``ledger_id``, oldest first."""
        raise NotImplementedError

    def latest_size(self, ledger_id: bytes) -> int:
        """The latest anchored tree size of ``ledger_id`` (0 if none)."""
        raise NotImplementedError

    def count(self, ledger_id: bytes) -> int:
        """How many anchors ``ledger_id`` has."""
        return len(self.records(ledger_id))

    def latest(self, ledger_id: bytes) -> AnchorRecord:
        """The newest anchor of ``ledger_id``; raises ``NoAnchor`` if there is none."""
        found = self.records(ledger_id)
        if not found:
            raise NoAnchor({"ledgerId": bytes32(ledger_id, "ledger_id")})
        return found[-1]


class LedgerAnchorClient(AnchorContractClient):
    """``LedgerAnchor`` (v1): every anchor in storage, read by index."""

    ARTIFACT = LEDGER_ANCHOR
    VERSION = 1

    def records(self, ledger_id: bytes) -> list[AnchorRecord]:
        """Every anchor of ``ledger_id``, oldest first (one call per anchor)."""
        return [self.anchor_at(ledger_id, i) for i in range(self.count(ledger_id))]

    def latest_size(self, ledger_id: bytes) -> int:
        try:
            return self.latest(ledger_id).tree_size
        except NoAnchor:
            return 0

    def count(self, ledger_id: bytes) -> int:
        """How many anchors ``ledger_id`` has."""
        return int(self._call("anchorCount", bytes32(ledger_id, "ledger_id")))

    def latest(self, ledger_id: bytes) -> AnchorRecord:
        """The newest anchor of ``ledger_id``; raises ``NoAnchor`` if there is none."""
        index, raw = self._call("latest", bytes32(ledger_id, "ledger_id"))
        return _anchor_record(int(index), raw)

    def anchor_at(self, ledger_id: bytes, index: int) -> AnchorRecord:
        """Anchor number ``index`` (0 first); raises ``AnchorNotFound`` past the end."""
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise BadChainInput("index must be a non-negative integer", field="index")
        return _anchor_record(index, self._call("anchorAt", bytes32(ledger_id, "ledger_id"), index))


def _anchor_record(index: int, raw: Sequence[Any]) -> AnchorRecord:
    root, tree_size, block_number, timestamp = raw
    return AnchorRecord(index, int(tree_size), bytes(root), int(block_number), int(timestamp))
