"""Typed clients for the two contracts: plain Python values in, frozen records out.

Callers never touch web3 objects: arguments are checked here (a wrong-length hash is a
:class:`BadChainInput`, not a web3 validation error), views return frozen records, and
events come back as :class:`ContractEvent` values tied to their block, so a service can
store them and later notice when that block stops being canonical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Self, cast

from eth_typing import ABIEvent, ChecksumAddress
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.address import is_address, to_checksum_address
from web3.contract import Contract
from web3.types import BlockIdentifier, LogReceipt

from ledger.anchoring.artifacts import LEDGER_ANCHOR, RECEIPT_REGISTRY, load_artifact
from ledger.anchoring.chain import Chain, Sender, TxOptions, TxOutcome
from ledger.anchoring.errors import BadChainInput, ChainError

UINT64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class ContractEvent:
    """One decoded log: the event's name and arguments, and where it sits on the chain."""

    name: str
    args: Mapping[str, Any]
    address: ChecksumAddress
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    log_index: int


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    """An anchor as the contract stores it."""

    index: int
    tree_size: int
    root: bytes
    block_number: int
    timestamp: int


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


def bytes32(value: bytes, what: str) -> bytes:
    """Checks a 32-byte value (ledger id, root, document hash) before it reaches web3."""
    if not isinstance(value, bytes) or len(value) != 32:
        raise BadChainInput(f"{what} must be 32 bytes", field=what)
    return bytes(value)


def address(value: str, what: str) -> ChecksumAddress:
    """Checks an account address and returns its checksum form."""
    if not isinstance(value, str) or not is_address(value):
        raise BadChainInput(f"{what} is not an address: {value!r}", field=what)
    return to_checksum_address(value)


class _ContractClient:
    """Shared plumbing: deploy, send a named function, call a view, decode logs."""

    ARTIFACT: ClassVar[str]

    def __init__(self, chain: Chain, contract_address: str) -> None:
        self.chain = chain
        self.artifact = load_artifact(self.ARTIFACT)
        self.address = address(contract_address, "contract_address")
        self.contract: Contract = chain.w3.eth.contract(address=self.address, abi=self.artifact.abi)
        self._events_by_topic = {
            bytes(event_abi_to_log_topic(cast(ABIEvent, item))): str(item["name"])
            for item in self.artifact.abi
            if item["type"] == "event"
        }

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        *,
        sender: Sender,
        options: TxOptions = TxOptions(),
        confirmations: int = 1,
        timeout: float = 30.0,
    ) -> Self:
        """Deploys a fresh contract owned by ``sender`` and waits for it to be mined."""
        artifact = load_artifact(cls.ARTIFACT)
        factory = chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        tx_hash = chain.send(factory.constructor(), sender, options)
        outcome = chain.wait(tx_hash, confirmations=confirmations, timeout=timeout)
        if outcome.contract_address is None:
            raise ChainError(f"deployment 0x{tx_hash.hex()} created no contract")
        return cls(chain, outcome.contract_address)

    def owner(self) -> ChecksumAddress:
        """The address allowed to administer the contract."""
        return to_checksum_address(self._call("owner"))

    def transfer_ownership(
        self, new_owner: str, *, sender: Sender, options: TxOptions = TxOptions()
    ) -> bytes:
        """Hands the contract to ``new_owner``; only the current owner may."""
        return self._send("transferOwnership", [address(new_owner, "new_owner")], sender, options)

    def decode_events(self, outcome: TxOutcome) -> list[ContractEvent]:
        """Events this contract emitted in one mined transaction."""
        return [e for log in outcome.logs if (e := self._decode(log)) is not None]

    def events(
        self, *, from_block: BlockIdentifier = 0, to_block: BlockIdentifier = "latest"
    ) -> list[ContractEvent]:
        """Every event of this contract in a block range, in chain order."""
        with self.chain.translating():
            logs = self.chain.w3.eth.get_logs(
                {"address": self.address, "fromBlock": from_block, "toBlock": to_block}
            )
        return [e for log in logs if (e := self._decode(log)) is not None]

    def _decode(self, log: LogReceipt) -> ContractEvent | None:
        if log["address"] != self.address or not log["topics"]:
            return None
        name = self._events_by_topic.get(bytes(log["topics"][0]))
        if name is None:
            return None
        with self.chain.translating():
            data = getattr(self.contract.events, name)().process_log(log)
        return ContractEvent(
            name=name,
            args={k: _plain(v) for k, v in data["args"].items()},
            address=self.address,
            tx_hash=bytes(log["transactionHash"]),
            block_number=int(log["blockNumber"]),
            block_hash=bytes(log["blockHash"]),
            log_index=int(log["logIndex"]),
        )

    def _send(self, fn: str, args: Sequence[Any], sender: Sender, options: TxOptions) -> bytes:
        call = self.contract.get_function_by_name(fn)(*args)
        return self.chain.send(call, sender, options)

    def _call(self, fn: str, *args: Any) -> Any:
        with self.chain.translating():
            return self.contract.get_function_by_name(fn)(*args).call()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str) and is_address(value):
        return to_checksum_address(value)
    return value


class LedgerAnchorClient(_ContractClient):
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


class ReceiptRegistryClient(_ContractClient):
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
