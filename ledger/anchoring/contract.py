"""What every typed contract client shares: plain Python values in, frozen records out.

Callers never touch web3 objects: arguments are checked here (a wrong-length hash is a
:class:`BadChainInput`, not a web3 validation error), views return frozen records, and
events come back as :class:`ContractEvent` values tied to their block, so a service can
store them and later notice when that block stops being canonical. The anchor contract's
client is :mod:`ledger.anchoring.anchor_client`; other contracts' clients (the receipt
registry's, in the finance service) subclass :class:`ContractClient` the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self, cast

from eth_typing import ABIEvent, ChecksumAddress
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.address import is_address, to_checksum_address
from web3.contract import Contract
from web3.types import BlockIdentifier, LogReceipt

from ledger.anchoring.artifacts import load_artifact
from ledger.anchoring.chain import Chain, Sender, TxOptions, TxOutcome
from ledger.anchoring.errors import BadChainInput, ChainError


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


class ContractClient:
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
        with self.chain.translating():
            call = self.contract.get_function_by_name(fn)(*args)
        return self.chain.send(call, sender, options)

    def _call(self, fn: str, *args: Any, block: BlockIdentifier = "latest") -> Any:
        with self.chain.translating():
            return self.contract.get_function_by_name(fn)(*args).call(block_identifier=block)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str) and is_address(value):
        return to_checksum_address(value)
    return value
