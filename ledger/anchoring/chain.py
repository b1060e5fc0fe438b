"""One narrow door to an Ethereum node: send, wait, look up, with failures as ChainError.

The anchoring service needs a few things from a node and nothing else: send a call with
a nonce and gas it chose (so two anchors in flight never collide), wait until a
transaction is N blocks deep, and read a receipt and the canonical hash of a block (to
notice a reorganisation). :class:`Chain` gives exactly that, the same way over an HTTP
RPC URL (anvil, a testnet) and in-process (web3's ``EthereumTesterProvider``), and turns
every web3 or node failure into a :class:`~ledger.anchoring.errors.ChainError`.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import (
    BlockNotFound,
    ContractLogicError,
    ProviderConnectionError,
    RequestTimedOut,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import LogReceipt, Nonce, RPCEndpoint, TxParams, Wei

from ledger.anchoring.artifacts import artifact_names, load_artifact
from ledger.anchoring.decoder import RevertDecoder
from ledger.anchoring.errors import (
    ChainError,
    ChainUnavailable,
    ConfirmationTimeout,
    TransactionRejected,
    TransactionReverted,
)
from ledger.anchoring.signing import signed_anew, why

#: Who signs: a local key (a service's anchorer key) or the address of an account the node
#: itself unlocks (anvil's and eth-tester's development accounts).
Sender = LocalAccount | str

_BYTES_LITERAL = re.compile(r"""b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*\"""")


@dataclass(frozen=True, slots=True)
class TxOptions:
    """What a caller may fix about a transaction instead of letting the node choose.

    ``nonce`` and ``gas`` let a service keep several transactions in flight; with no
    ``gas`` the node's estimate runs the call first, so a revert is raised before sending.
    With ``gas`` given, ``simulate`` still runs it with ``eth_call`` first; turn it off
    when the call depends on a transaction not yet mined. ``avoid`` names transactions
    this one must not be: signing is deterministic, so re-sending a call a reorganisation
    dropped, with the same nonce and fees (a base fee at its floor), would make the very
    transaction already on record. A local signer then raises both fees by one wei until
    the hash is new; a node-unlocked sender signs on the node, so there it cannot be
    checked before sending.
    """

    nonce: int | None = None
    gas: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    simulate: bool = True
    avoid: frozenset[bytes] = frozenset()


@dataclass(frozen=True, slots=True)
class TxOutcome:
    """A mined, successful transaction as seen from the current head."""

    tx_hash: bytes
    block_number: int
    block_hash: bytes
    gas_used: int
    confirmations: int
    contract_address: ChecksumAddress | None
    logs: tuple[LogReceipt, ...]


class Chain:
    """A node connection with typed failures; see the module docstring for why."""

    def __init__(
        self,
        w3: Web3,
        *,
        decoder: RevertDecoder | None = None,
        poll_interval: float = 0.05,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.w3 = w3
        self.decoder = decoder or RevertDecoder(load_artifact(n).abi for n in artifact_names())
        self._poll_interval = poll_interval
        self._sleep = sleep
        self._monotonic = monotonic

    @classmethod
    def connect(cls, url: str, *, timeout: float = 10.0) -> Chain:
        """An HTTP JSON-RPC node. No retries here: the caller decides when to try again."""
        provider = Web3.HTTPProvider(
            url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None
        )
        return cls(Web3(provider))

    @classmethod
    def in_process(cls) -> Chain:
        """A fresh in-process EVM (py-evm) with funded, unlocked development accounts."""
        return cls(Web3(EthereumTesterProvider()))

    @property
    def chain_id(self) -> int:
        with self.translating():
            return int(self.w3.eth.chain_id)

    def head(self) -> int:
        """Number of the latest block."""
        with self.translating():
            return int(self.w3.eth.block_number)

    def block_hash(self, number: int) -> bytes | None:
        """Canonical hash of block ``number``, or None if there is no such block (yet)."""
        with self.translating():
            try:
                return bytes(self.w3.eth.get_block(number)["hash"])
            except BlockNotFound:
                return None

    def next_nonce(self, address: str, block: Literal["pending", "latest"] = "pending") -> int:
        """The nonce the next transaction from ``address`` should take, pending ones counted.

        With ``block="latest"``: the first nonce no mined transaction has used yet.
        """
        with self.translating():
            return int(self.w3.eth.get_transaction_count(to_checksum_address(address), block))

    def dev_accounts(self) -> list[ChecksumAddress]:
        """Accounts the node unlocks (development nodes only)."""
        with self.translating():
            return list(self.w3.eth.accounts)

    def mine(self, blocks: int = 1) -> None:
        """Mines empty blocks on a development node, to reach a confirmation depth."""
        in_process = isinstance(self.w3.provider, EthereumTesterProvider)
        method, params = ("evm_mine", [blocks]) if in_process else ("anvil_mine", [hex(blocks)])
        with self.translating():
            self.w3.manager.request_blocking(RPCEndpoint(method), params)

    def send(
        self,
        call: ContractFunction | ContractConstructor,
        sender: Sender,
        options: TxOptions = TxOptions(),
    ) -> bytes:
        """Sends ``call`` from ``sender`` and returns the transaction hash at once."""
        address = to_checksum_address(sender if isinstance(sender, str) else sender.address)
        params: TxParams = {"from": address}
        if options.nonce is not None:
            params["nonce"] = Nonce(options.nonce)
        elif not isinstance(sender, str):
            params["nonce"] = Nonce(self.next_nonce(address))
        if options.gas is not None:
            params["gas"] = options.gas
        if options.max_fee_per_gas is not None:
            params["maxFeePerGas"] = Wei(options.max_fee_per_gas)
        if options.max_priority_fee_per_gas is not None:
            params["maxPriorityFeePerGas"] = Wei(options.max_priority_fee_per_gas)
        with self.translating():
            tx = call.build_transaction(params)
            if options.gas is not None and options.simulate:
                probe: TxParams = {"from": address, "data": tx["data"]}
                if "to" in tx:
                    probe["to"] = tx["to"]
                self.w3.eth.call(probe)
            if isinstance(sender, str):
                return bytes(self.w3.eth.send_transaction(tx))
            raw = signed_anew(sender, cast(dict[str, Any], dict(tx)), options.avoid)
            return bytes(self.w3.eth.send_raw_transaction(raw))

    def receipt(self, tx_hash: bytes) -> TxOutcome | None:
        """The outcome of ``tx_hash`` if it sits in a canonical block, else None.

        A receipt whose block is no longer canonical (a reorganisation dropped it) counts
        as not mined. A mined transaction that reverted raises its decoded error.
        """
        with self.translating():
            try:
                rcpt = self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                return None
            number = int(rcpt["blockNumber"])
            if self.block_hash(number) != bytes(rcpt["blockHash"]):
                return None
            if int(rcpt["status"]) != 1:
                raise self._replayed_revert(tx_hash, number)
            return TxOutcome(
                tx_hash=bytes(rcpt["transactionHash"]),
                block_number=number,
                block_hash=bytes(rcpt["blockHash"]),
                gas_used=int(rcpt["gasUsed"]),
                confirmations=self.head() - number + 1,
                contract_address=rcpt.get("contractAddress"),
                logs=tuple(rcpt["logs"]),
            )

    def wait(self, tx_hash: bytes, *, confirmations: int = 1, timeout: float = 30.0) -> TxOutcome:
        """Waits until ``tx_hash`` is ``confirmations`` blocks deep (1 = just mined)."""
        deadline = self._monotonic() + timeout
        while True:
            outcome = self.receipt(tx_hash)
            if outcome is not None and outcome.confirmations >= confirmations:
                return outcome
            if self._monotonic() >= deadline:
                state = "not mined" if outcome is None else f"{outcome.confirmations} deep"
                raise ConfirmationTimeout(
                    f"transaction 0x{tx_hash.hex()} {state} after {timeout}s, "
                    f"wanted {confirmations} confirmations",
                    tx_hash=tx_hash,
                )
            self._sleep(self._poll_interval)

    def _replayed_revert(self, tx_hash: bytes, block_number: int) -> TransactionReverted:
        """Why a mined transaction failed: replays it at its block to get the revert data."""
        tx = self.w3.eth.get_transaction(HexBytes(tx_hash))
        probe: TxParams = {"from": tx["from"], "data": tx["input"], "value": tx["value"]}
        if tx.get("to"):
            probe["to"] = tx["to"]
        try:
            self.w3.eth.call(probe, block_number)
        except Exception as exc:  # the revert we are after, in whatever form the node gives
            translated = self._translate(exc)
            if isinstance(translated, TransactionReverted):
                return translated
        return TransactionReverted(f"transaction 0x{tx_hash.hex()} failed (out of gas?)")

    @contextmanager
    def translating(self) -> Iterator[None]:
        """Re-raises anything web3, a node or eth-tester throws as a ChainError."""
        try:
            yield
        except ChainError:
            raise
        except Exception as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> ChainError:
        if isinstance(exc, ContractLogicError):
            data = exc.data.get("data") if isinstance(exc.data, dict) else exc.data
            if isinstance(data, str) and data.startswith("0x"):
                return self.decoder.exception(bytes.fromhex(data[2:]))
            return TransactionReverted(str(exc.message or "execution reverted"))
        if isinstance(exc, TransactionFailed):
            return self._from_eth_tester(str(exc.args[0]) if exc.args else "")
        if isinstance(exc, ProviderConnectionError | RequestTimedOut | TimeExhausted | OSError):
            where = getattr(self.w3.provider, "endpoint_uri", None)
            return ChainUnavailable(
                f"node unreachable{f' at {where}' if where else ''}: {why(exc)}"
            )
        if isinstance(exc, Web3RPCError):
            return TransactionRejected(f"node refused: {exc}")
        return ChainError(f"{type(exc).__name__}: {exc}")

    def _from_eth_tester(self, message: str) -> TransactionReverted:
        """eth-tester reports revert data only as a bytes literal inside its message."""
        found = _BYTES_LITERAL.search(message)
        if found is not None:
            data = ast.literal_eval(found.group(0))
            if isinstance(data, bytes) and len(data) >= 4:
                return self.decoder.exception(data)
        return TransactionReverted(message or "execution reverted")
