"""The typed client of ``LedgerAnchor``: one anchorer per ledger, tree sizes only grow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from ledger.anchoring.artifacts import LEDGER_ANCHOR
from ledger.anchoring.chain import Sender, TxOptions
from ledger.anchoring.contract import ContractClient, address, bytes32
from ledger.anchoring.errors import BadChainInput

UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    """An anchor as the contract stores it."""

    index: int
    tree_size: int
    root: bytes
    block_number: int
    timestamp: int


class LedgerAnchorClient(ContractClient):
    """``LedgerAnchor``: one anchorer per ledger; tree sizes only grow."""

    ARTIFACT = LEDGER_ANCHOR

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
